#!/usr/bin/env bash
# An AWS CLI against OpenIRSA. Arguments: aws-executable endpoint role_arn token_file.
# Prints "version ...", then "ok NAME detail" or "FAIL NAME detail" per check.
set -u
aws=$1 endpoint=$2 role=$3 token=$4
echo "version $("$aws" --version 2>&1 | head -1)"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1

if out=$("$aws" --endpoint-url "$endpoint" sts assume-role-with-web-identity --role-arn "$role" --role-session-name cli-explicit \
    --web-identity-token "file://$token" --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>&1); then
  read -r k s t <<<"$out"
  if arn=$(AWS_ACCESS_KEY_ID=$k AWS_SECRET_ACCESS_KEY=$s AWS_SESSION_TOKEN=$t "$aws" --endpoint-url "$endpoint" sts get-caller-identity --query Arn --output text 2>&1); then
    echo "ok explicit $arn"
  else
    echo "FAIL explicit $(tr '\n' ' ' <<<"$arn")"
  fi
else
  echo "FAIL explicit $(tr '\n' ' ' <<<"$out")"
fi

if [ -n "${SKIP_DEFAULT_CHAIN:-}" ]; then
  # A client known to send the pod's token elsewhere (AWS's public STS): never run, so nothing leaves the machine.
  echo "SKIP default-chain"
elif arn=$(AWS_ROLE_ARN=$role AWS_WEB_IDENTITY_TOKEN_FILE=$token AWS_ROLE_SESSION_NAME=cli-default AWS_ENDPOINT_URL=$endpoint \
    AWS_METADATA_SERVICE_NUM_ATTEMPTS=0 AWS_EC2_METADATA_DISABLED=true timeout 60 "$aws" sts get-caller-identity --query Arn --output text 2>&1); then
  echo "ok default-chain $arn"
else
  echo "FAIL default-chain $(tr '\n' ' ' <<<"$arn" | cut -c1-300)"
fi
