#!/usr/bin/env bash
# EKS Pod Identity with the AWS CLI against a fresh server: one role trusted by the service
# pods.eks.amazonaws.com, associated with a service account in two clusters, assumed through
# eks-auth AssumeRoleForPodIdentity with each cluster's pod token, and the refusals.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -euo pipefail
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed for the Pod Identity checks" >&2; exit 1; }
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

eval "$(bin/irsa env)"
for cluster in east west; do
  aws eks create-cluster --name "$cluster" --role-arn arn:aws:iam::123456789012:role/eks-cluster \
    --resources-vpc-config subnetIds=subnet-0a1b2c3d > /dev/null
done
cat > trust.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
  "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
JSON
aws iam create-role --role-name shop --assume-role-policy-document file://trust.json > /dev/null
for cluster in east west; do
  aws eks create-pod-identity-association --cluster-name "$cluster" --namespace shop --service-account cart \
    --role-arn arn:aws:iam::123456789012:role/shop > /dev/null
  bin/irsa token --cluster "$cluster" --namespace shop --service-account cart --audience pods.eks.amazonaws.com > "$cluster.jwt"
done

assume() { # cluster, token file: prints the credentials as "key secret session"
  aws eks-auth assume-role-for-pod-identity --cluster-name "$1" --token "$(cat "$2")" \
    --query 'credentials.[accessKeyId,secretAccessKey,sessionToken]' --output text
}
caller() { # cluster: the ARN get-caller-identity answers with that cluster's credentials
  local key secret session
  read -r key secret session < <(assume "$1" "$1.jwt")
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$session aws sts get-caller-identity --query Arn --output text
}
check "east's pod gets the role" bash -c "$(declare -f assume caller); caller east | grep -qx 'arn:aws:sts::123456789012:assumed-role/shop/eks-east-cart'"
check "west's pod gets the same role, the trust policy unchanged" bash -c "$(declare -f assume caller); caller west | grep -qx 'arn:aws:sts::123456789012:assumed-role/shop/eks-west-cart'"
cat > by-tags.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*", "Condition": {"StringEquals":
  {"aws:PrincipalTag/kubernetes-namespace": "shop", "aws:PrincipalTag/kubernetes-service-account": "cart", "aws:PrincipalTag/eks-cluster-name": "east"}}}]}
JSON
aws iam put-role-policy --role-name shop --policy-name by-session-tags --policy-document file://by-tags.json
as_pod() { # cluster, aws arguments...: runs the AWS CLI with that cluster's pod credentials
  local key secret session cluster=$1; shift
  read -r key secret session < <(assume "$cluster" "$cluster.jwt")
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$session aws "$@"
}
check "the session carries the pod's tags (a policy on them lets east's pod in)" bash -c \
  "$(declare -f assume as_pod); as_pod east iam get-role --role-name shop --query Role.RoleName --output text | grep -qx shop"
check "... and keeps west's pod out" bash -c \
  "$(declare -f assume as_pod); ! as_pod west iam get-role --role-name shop > out.txt 2>&1 && grep -q AccessDenied out.txt"
check "the answer names the subject, audience and association" bash -c \
  "aws eks-auth assume-role-for-pod-identity --cluster-name east --token \"\$(cat east.jwt)\" --query '[subject.namespace,subject.serviceAccount,audience,podIdentityAssociation.associationId]' --output text | grep -qP '^shop\tcart\tpods.eks.amazonaws.com\ta-[a-z0-9]{17}$'"

bin/irsa token --cluster east --namespace shop --service-account other --audience pods.eks.amazonaws.com > other.jwt
check "a service account without an association is ResourceNotFoundException" refused ResourceNotFoundException \
  eks-auth assume-role-for-pod-identity --cluster-name east --token "$(cat other.jwt)"
bin/irsa token --cluster east --namespace shop --service-account cart > sts-audience.jwt
check "a token for sts.amazonaws.com is InvalidTokenException" refused InvalidTokenException \
  eks-auth assume-role-for-pod-identity --cluster-name east --token "$(cat sts-audience.jwt)"
check "west's token at east is InvalidTokenException" refused InvalidTokenException \
  eks-auth assume-role-for-pod-identity --cluster-name east --token "$(cat west.jwt)"
python3 - east.jwt > hostile.txt <<'PY'
import base64, json, sys
token = open(sys.argv[1]).read().strip()
head, body, sig = token.split(".")
b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
print(head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:])          # a changed signature
print(b64({"alg": "none"}) + "." + body + ".")                                       # alg none
claims["sub"] = "system:serviceaccount:shop:admin"
print(head + "." + b64(claims) + "." + sig)                                          # claims changed under the signature
PY
i=0
for what in "a changed signature" "alg none" "claims changed under the signature"; do
  i=$((i + 1))
  check "$what is InvalidTokenException" refused InvalidTokenException \
    eks-auth assume-role-for-pod-identity --cluster-name east --token "$(sed -n ${i}p hostile.txt)"
done
cat > trust-no-tags.json <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
aws iam update-assume-role-policy --role-name shop --policy-document file://trust-no-tags.json
check "a trust policy without sts:TagSession is AccessDeniedException" refused AccessDeniedException \
  eks-auth assume-role-for-pod-identity --cluster-name east --token "$(cat east.jwt)"
id=$(aws eks list-pod-identity-associations --cluster-name east --query 'associations[0].associationId' --output text)
aws eks update-pod-identity-association --cluster-name east --association-id "$id" --disable-session-tags > /dev/null
check "with session tags disabled, sts:AssumeRole alone is enough" bash -c "$(declare -f assume caller); caller east | grep -q 'assumed-role/shop/'"

ext=$(aws eks update-pod-identity-association --cluster-name east --association-id "$id" \
  --target-role-arn arn:aws:iam::123456789012:role/target --query association.externalId --output text)
cat > trust-target.json <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/shop"},
  "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "$ext"}}}]}
JSON
aws iam create-role --role-name target --assume-role-policy-document file://trust-target.json > /dev/null
check "a target role is assumed with the first role's session and the association's external id" bash -c \
  "$(declare -f assume caller); caller east | grep -qx 'arn:aws:sts::123456789012:assumed-role/target/eks-east-cart'"

aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRoleForPodIdentity \
  --query 'Events[].CloudTrailEvent' --output text > trail.txt
check "CloudTrail records the calls from eks-auth, without the token or the secret" bash -c \
  "grep -q 'eks-auth.amazonaws.com' trail.txt && ! grep -qF \"\$(cut -c1-40 east.jwt)\" trail.txt && ! grep -qi secretAccessKey trail.txt"

echo "pod identity: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
