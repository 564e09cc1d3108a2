package io.openirsa.cli.compat;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Run in a JVM of its own, with only a pod's environment (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_REGION and an endpoint variable): the SDK's default credential chain and default endpoint
 * resolution, nothing configured in code. Prints the caller's ARN.
 */
public final class JavaSdkDefaultChain {
    public static void main(String[] args) {
        try (StsClient sts = StsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(DefaultCredentialsProvider.builder().build()).build()) {
            System.out.println(sts.getCallerIdentity().arn());
        }
    }
}
