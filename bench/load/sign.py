"""Prints the headers and body of a SigV4-signed STS GetCallerIdentity request (botocore's signer),
for wrk to replay during a run: AWS accepts the same signed request until it is 5 minutes old."""
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint, key, secret, token = sys.argv[1:5]
body = "Action=GetCallerIdentity&Version=2011-06-15"
request = AWSRequest(method="POST", url=endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(key, secret, token or None), "sts", "us-east-1").add_auth(request)
for name, value in request.headers.items():
    if name.lower() not in ("content-length",):
        print(f"{name}: {value}")
