#!/usr/bin/env bash
# Runs unmodified AWS clients against a fresh server, each two ways: an explicit
# AssumeRoleWithWebIdentity then GetCallerIdentity with the credentials it returns, and the client's
# default credential chain fed only what a pod has (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) plus the
# endpoint setting. Prints a Markdown table and "N passed, N failed". A client that cannot be
# installed is skipped with its reason; a default chain listed in KNOWN below (a client defect that
# would send the pod's token to AWS's public STS) is not run at all, and reported as skipped with its
# reason: nothing leaves the machine, and a skip is never counted as a pass.
set -uo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
here="$root/e2e/compat"

declare -A KNOWN=(
  ["AWS CLI v2 (Debian awscli)/default-chain"]="awscli 2.9 predates AWS_ENDPOINT_URL (added in 2.13): its web-identity provider calls sts.amazonaws.com"
)

source "$root/e2e/lib.sh"

# Set up as the walkthrough does, with the administrator key (AWS CLI v1 of the machine image or v2).
eval "$("$root/bin/irsa" env)"
setup_aws=$(command -v aws)
endpoint=$AWS_ENDPOINT_URL
"$setup_aws" eks create-cluster --name compat --role-arn arn:aws:iam::123456789012:role/eks --resources-vpc-config subnetIds=subnet-1 >/dev/null
issuer=$("$setup_aws" eks describe-cluster --name compat --query cluster.identity.oidc.issuer --output text)
provider_arn=$("$setup_aws" iam create-open-id-connect-provider --url "$issuer" --client-id-list sts.amazonaws.com --query OpenIDConnectProviderArn --output text)
hp=${issuer#*://}
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:default:app","%s:aud":"sts.amazonaws.com"}}}]}' \
  "$provider_arn" "$hp" "$hp" > trust.json
role=$("$setup_aws" iam create-role --role-name compat --assume-role-policy-document file://trust.json --query Role.Arn --output text)
"$root/bin/irsa" token --cluster compat --namespace default --service-account app > "$work/token.jwt"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL

passed=0 failed=0 skipped=0
rows=()
record() { # client, output of its checks
  local client=$1 output=$2 version explicit chain
  version=$(sed -n 's/^version //p' <<<"$output" | head -1)
  for check in explicit default-chain; do
    local line
    line=$(grep -E "^(ok|FAIL) $check " <<<"$output" | head -1)
    local verdict detail
    detail=${line#* $check }
    if [ -n "${KNOWN[$client/$check]:-}" ] && grep -qE "^SKIP $check" <<<"$output"; then
      verdict="skipped: ${KNOWN[$client/$check]}"; skipped=$((skipped + 1))
    elif [[ $line == ok* ]] && [[ $detail == *":assumed-role/compat/"* ]]; then
      verdict="yes"; passed=$((passed + 1))
    else
      verdict="FAILED: ${detail:-no output}"; failed=$((failed + 1))
    fi
    [ $check = explicit ] && explicit=$verdict || chain=$verdict
  done
  rows+=("| $client | $version | $explicit | $chain |")
}
skip() { rows+=("| $1 | - | skipped: $2 | skipped: $2 |"); }

v1=$(type -ap aws | grep -vE '^(/usr)?/bin/aws$' | head -1)
if [ -n "$v1" ] && "$v1" --version 2>&1 | grep -q '^aws-cli/1\.'; then
  record "AWS CLI v1 (machine image)" "$(bash "$here/cli_client.sh" "$v1" "$endpoint" "$role" "$work/token.jwt")"
else
  skip "AWS CLI v1 (machine image)" "no aws-cli/1.x on PATH"
fi
if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2\.'; then
  record "AWS CLI v2 (Debian awscli)" "$(SKIP_DEFAULT_CHAIN=${KNOWN["AWS CLI v2 (Debian awscli)/default-chain"]:+1} \
    bash "$here/cli_client.sh" /usr/bin/aws "$endpoint" "$role" "$work/token.jwt")"
else
  skip "AWS CLI v2 (Debian awscli)" "not installed (apt-get install awscli)"
fi
if python3 -c 'import boto3' 2>/dev/null; then
  record "boto3 (machine image)" "$(python3 "$here/boto3_client.py" "$endpoint" "$role" "$work/token.jwt")"
else
  skip "boto3 (machine image)" "python3 has no boto3"
fi
if [ ! -d "$here/node_modules/@aws-sdk/credential-providers" ] && command -v npm >/dev/null; then
  (cd "$here" && npm install --silent --no-audit --no-fund >/dev/null 2>&1) || true
fi
if [ -d "$here/node_modules/@aws-sdk/credential-providers" ]; then
  record "AWS SDK for JavaScript v3" "$(node "$here/js_client.mjs" "$endpoint" "$role" "$work/token.jwt" 2>&1)"
else
  skip "AWS SDK for JavaScript v3" "npm could not install @aws-sdk/credential-providers"
fi

echo
echo "| client | version | AssumeRoleWithWebIdentity + GetCallerIdentity | default credential chain (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, endpoint) |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "compatibility: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
