// AWS SDK for JavaScript v3 against OpenIRSA: fromTokenFile with only the endpoint set, then the
// default provider chain from a pod's environment. Arguments: endpoint role_arn token_file.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromTokenFile, fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { readFileSync } from "node:fs";

const [endpoint, roleArn, tokenFile] = process.argv.slice(2);
const version = JSON.parse(readFileSync(new URL("./node_modules/@aws-sdk/client-sts/package.json", import.meta.url))).version;
console.log(`version @aws-sdk/client-sts ${version}`);

async function check(name, fn) {
  try {
    console.log(`ok ${name} ${await fn()}`);
  } catch (e) {
    console.log(`FAIL ${name} ${e.name}: ${e.message}`);
  }
}

for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) delete process.env[k];
Object.assign(process.env, { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "us-east-1" });

await check("explicit", async () => {
  const credentials = fromTokenFile({ roleSessionName: "js-explicit", clientConfig: { endpoint, region: "us-east-1" } });
  const sts = new STSClient({ endpoint, region: "us-east-1", credentials });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
});

await check("default-chain", async () => {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ROLE_SESSION_NAME = "js-default";
  const sts = new STSClient({ credentials: fromNodeProviderChain() });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
});
