"""boto3 against OpenIRSA: explicit AssumeRoleWithWebIdentity, then the default credential chain.

Arguments: endpoint role_arn token_file. Prints one line per check: "ok NAME detail" or "FAIL NAME detail".
"""
import os
import sys

import boto3
import botocore

endpoint, role_arn, token_file = sys.argv[1:4]


def check(name, fn):
    try:
        print(f"ok {name} {fn()}")
    except Exception as e:  # report, never crash: the table shows what failed
        print(f"FAIL {name} {type(e).__name__}: {e}")


def explicit():
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    creds = sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="boto3-explicit",
                                              WebIdentityToken=open(token_file).read().strip())["Credentials"]
    me = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                      aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    return me.get_caller_identity()["Arn"]


def default_chain():
    # Only the environment a pod has: AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, and the endpoint setting.
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(k, None)
    os.environ.update({"AWS_ROLE_ARN": role_arn, "AWS_WEB_IDENTITY_TOKEN_FILE": token_file, "AWS_ENDPOINT_URL": endpoint,
                       "AWS_REGION": "us-east-1", "AWS_ROLE_SESSION_NAME": "boto3-default"})
    return boto3.session.Session().client("sts").get_caller_identity()["Arn"]


print(f"version boto3 {boto3.__version__} botocore {botocore.__version__}")
check("explicit", explicit)
check("default-chain", default_chain)
