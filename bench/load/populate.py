"""Fills a server with other tenants before a scaling run: N OIDC providers, each with a role that
trusts it (the IRSA guide's trust policy), through the IAM API (SigV4-signed, 4 connections). IAM
allows 100 OIDC providers per account, so the tenants live in N/100 accounts of their own, made
through OpenIRSA's account API with the root key given."""
import http.client
import json
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint, key, secret, count = sys.argv[1:5]
url = urllib.parse.urlparse(endpoint)
credentials = Credentials(key, secret)


def signed(conn, service, path, body, content_type, creds):
    request = AWSRequest(method="POST", url=endpoint + path, data=body, headers={"Content-Type": content_type})
    SigV4Auth(creds, service, "us-east-1").add_auth(request)
    conn.request("POST", path, body, dict(request.headers.items()))
    answer = conn.getresponse()
    data = answer.read()
    if answer.status not in (200, 201):
        sys.exit(f"POST {path} ({service}) answered {answer.status}: {data[:300]!r}")
    return data


def iam(conn, creds, params):
    signed(conn, "iam", "/", urllib.parse.urlencode({**params, "Version": "2010-05-08"}),
           "application/x-www-form-urlencoded; charset=utf-8", creds)


PER_ACCOUNT = 100


def account(a):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    account_id = f"{200000000000 + a}"
    made = json.loads(signed(conn, "openirsa", "/openirsa/v1/accounts", json.dumps({"accountId": account_id}),
                             "application/json", credentials))
    creds = Credentials(made["accessKeyId"], made["secretAccessKey"])
    for i in range(a * PER_ACCOUNT, min(n, (a + 1) * PER_ACCOUNT)):
        host = f"oidc.tenant-{i}.example.com/id/{i:032X}"
        iam(conn, creds, {"Action": "CreateOpenIDConnectProvider", "Url": "https://" + host, "ClientIDList.member.1": "sts.amazonaws.com"})
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                 "Principal": {"Federated": f"arn:aws:iam::{account_id}:oidc-provider/{host}"},
                 "Action": "sts:AssumeRoleWithWebIdentity",
                 "Condition": {"StringEquals": {f"{host}:sub": f"system:serviceaccount:team-{i}:app", f"{host}:aud": "sts.amazonaws.com"}}}]}
        iam(conn, creds, {"Action": "CreateRole", "RoleName": f"tenant-{i}", "AssumeRolePolicyDocument": json.dumps(trust)})


n = int(count)
with ThreadPoolExecutor(4) as pool:
    list(pool.map(account, range((n + PER_ACCOUNT - 1) // PER_ACCOUNT)))
