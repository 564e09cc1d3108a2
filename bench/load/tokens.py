"""Prints N distinct projected service-account tokens, one per line, minted through the cluster's
TokenRequest endpoint as the kubelet would (one pod each), for a workload where no token repeats."""
import http.client
import json
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

endpoint, cluster, namespace, account, count, bearer = sys.argv[1:7]
url = urllib.parse.urlparse(endpoint)
path = f"/clusters/{cluster}/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token"


def mint(indexes):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    out = []
    for i in indexes:
        body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                           "spec": {"audiences": ["sts.amazonaws.com"], "expirationSeconds": 86400,
                                    "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": f"app-{i}", "uid": f"uid-{i}"}}})
        conn.request("POST", path, body, {"Authorization": "Bearer " + bearer, "Content-Type": "application/json"})
        answer = conn.getresponse()
        data = answer.read()
        if answer.status != 201:
            sys.exit(f"TokenRequest answered {answer.status}: {data[:300]!r}")
        out.append(json.loads(data)["status"]["token"])
    return out


n = int(count)
with ThreadPoolExecutor(4) as pool:
    for tokens in pool.map(mint, [range(k, n, 4) for k in range(4)]):
        print("\n".join(tokens))
