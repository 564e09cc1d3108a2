#!/usr/bin/env bash
# Runs the README's walkthrough as written with the AWS CLI against a fresh server, then checks its
# outcome and a few refusals. Prints "N passed, N failed" and exits non-zero on any failure.
set -euo pipefail
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed for the end-to-end walkthrough" >&2; exit 1; }
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

sed -n '/<!-- walkthrough:start -->/,/<!-- walkthrough:end -->/p' "$root/README.md" | sed '1,2d;$d' | sed '$d' > walkthrough.sh
run_walkthrough() { bash -euo pipefail walkthrough.sh > walkthrough.out 2> walkthrough.err || { cat walkthrough.out walkthrough.err; return 1; }; }
check "README walkthrough runs as written" run_walkthrough
check "walkthrough ends with the SDK provider as the assumed role" grep -q '"Arn": "arn:aws:sts::123456789012:assumed-role/app/botocore-session-' walkthrough.out
check "exchange returns SubjectFromWebIdentityToken" grep -q '"SubjectFromWebIdentityToken": "system:serviceaccount:default:app"' walkthrough.out

eval "$(bin/irsa env)"
read -r key secret session < <(aws sts assume-role-with-web-identity --role-arn arn:aws:iam::123456789012:role/app \
    --role-session-name e2e --web-identity-token file://token.jwt \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
check "temporary credentials are the role for get-caller-identity" bash -c \
  "AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$session aws sts get-caller-identity --query Arn --output text | grep -qx 'arn:aws:sts::123456789012:assumed-role/app/e2e'"

aws eks update-kubeconfig --name demo --kubeconfig kubeconfig >/dev/null
check "kubectl create token works with the kubeconfig aws eks update-kubeconfig writes (TLS, the cluster's CA)" bash -c \
  "kubectl --kubeconfig kubeconfig create token app -n default --audience sts.amazonaws.com | grep -q '^eyJ'"

bin/irsa token --cluster demo --namespace default --service-account other > other.jwt
check "another service account is AccessDenied" refused AccessDenied sts assume-role-with-web-identity \
  --role-arn arn:aws:iam::123456789012:role/app --role-session-name x1 --web-identity-token file://other.jwt
bin/irsa token --cluster demo --namespace default --service-account app --audience someone-else > aud.jwt
check "another audience is InvalidIdentityToken" refused InvalidIdentityToken sts assume-role-with-web-identity \
  --role-arn arn:aws:iam::123456789012:role/app --role-session-name x2 --web-identity-token file://aud.jwt
check "a bad session name is ValidationError" refused ValidationError sts assume-role-with-web-identity \
  --role-arn arn:aws:iam::123456789012:role/app --role-session-name 'a:b' --web-identity-token file://token.jwt
AWS_SECRET_ACCESS_KEY=wrong check "a wrong secret is SignatureDoesNotMatch" refused SignatureDoesNotMatch sts get-caller-identity
check "a missing role is NoSuchEntity" refused NoSuchEntity iam get-role --role-name missing

lookup() { aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRoleWithWebIdentity \
    --query 'Events[].CloudTrailEvent' --output text; }
check "CloudTrail records the web identity calls" bash -c "$(declare -f lookup); lookup | grep -q '\"userName\": \"system:serviceaccount:default:app\"' || lookup | grep -q '\"userName\":\"system:serviceaccount:default:app\"'"
denied=$(aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=system:serviceaccount:default:other \
    --max-results 1 --query 'Events[0].CloudTrailEvent' --output text | python3 -c 'import json,sys; print(json.load(sys.stdin)["requestID"])')
check "bin/irsa explain says why the other service account was refused" bash -c "bin/irsa explain $denied 2>/dev/null | grep -q 'stage     trust-policy'"

# Remotely: the AWS_* environment's server, through LookupEvents, from a folder with no data folder in sight.
check "bin/irsa explain works remotely, with no data folder" bash -c "cd / && env -u OPENIRSA_DATA HOME=/nonexistent $work/bin/irsa explain $denied 2>&1 | grep -q 'stage     trust-policy'"
check "bin/irsa audit works remotely, newest first" bash -c "cd / && env -u OPENIRSA_DATA HOME=/nonexistent $work/bin/irsa audit --event AssumeRoleWithWebIdentity --errors --since 1h 2>&1 | grep -q 'AccessDenied (bin/irsa explain $denied)'"
lookup_refused() { # as the app role's session, which has no cloudtrail:LookupEvents
  local out rc=0
  out=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$session bin/irsa explain "$denied" 2>&1) || rc=$?
  [ "$rc" -eq 2 ] && grep -q AccessDenied <<<"$out" && [ "$(wc -l <<<"$out")" -eq 1 ] || { echo "exit $rc: $out"; return 1; }
}
check "a session without cloudtrail:LookupEvents is refused, in one line, exit 2" lookup_refused

echo "walkthrough: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
