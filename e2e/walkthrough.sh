#!/usr/bin/env bash
# Runs the README's walkthrough as written with the AWS CLI against a fresh server, then checks its
# outcome and a few refusals. Prints "N passed, N failed" and exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed for the end-to-end walkthrough" >&2; exit 1; }

work=$(mktemp -d)
export OPENIRSA_DATA="$work/data"
# A home of its own, so the AWS CLI's credential cache (~/.aws/cli/cache) holds nothing from another
# server; Maven keeps using the real one should bin/irsa need to build.
export MAVEN_USER_HOME="${MAVEN_USER_HOME:-$HOME/.m2}" MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$HOME/.m2/repository"
export HOME="$work"
export AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
ln -s "$root/bin" "$work/bin"
cd "$work"

bin/irsa serve --listen 127.0.0.1:0 > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  [ -f "$OPENIRSA_DATA/server.json" ] && curl -fs "$(sed -n 's/.*"endpoint" *: *"\([^"]*\)".*/\1/p' "$OPENIRSA_DATA/server.json")/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done

passed=0 failed=0
check() { # name, command...: the command must succeed
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

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

refused() { # expected error code, then the aws arguments
  local code=$1; shift
  local out
  if out=$(aws "$@" 2>&1); then echo "unexpectedly succeeded: $out"; return 1; fi
  grep -q "($code)" <<<"$out" || { echo "$out"; return 1; }
}
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

echo "walkthrough: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
