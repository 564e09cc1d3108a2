package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AWS SDK for Java v2's default credential chain in a fresh JVM, given only what a pod has.
 * (The other clients, the AWS CLIs, boto3 and the JavaScript SDK, are run by e2e/compat.sh.)
 */
class SdkCompatibilityTest extends ServerTest {
    String roleArn;
    Path tokenFile;

    @BeforeAll
    void setUp() throws Exception {
        String issuer = f.createCluster("sdk-compat");
        String provider = f.registerProvider(issuer);
        roleArn = f.iam.createRole(b -> b.roleName("sdk-compat").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
        tokenFile = Files.writeString(f.data.resolve("token.jwt"), f.token("sdk-compat", "default", "app"));
    }

    record Result(int exit, String output) {
    }

    Result runDefaultChain(Map<String, String> endpointEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.openirsa.cli.compat.JavaSdkDefaultChain");
        Map<String, String> env = pb.environment();
        for (String k : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_STS")) {
            env.remove(k);
        }
        env.put("AWS_ROLE_ARN", roleArn);
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString());
        env.put("AWS_ROLE_SESSION_NAME", "java-default-chain");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_CONFIG_FILE", f.data.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", f.data.resolve("no-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putAll(endpointEnv);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void defaultChain_withAwsEndpointUrlSts_isTheRole() throws Exception {
        Result r = runDefaultChain(Map.of("AWS_ENDPOINT_URL_STS", f.server.endpoint()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output().trim()).endsWith("arn:aws:sts::123456789012:assumed-role/sdk-compat/java-default-chain");
    }

    @Test
    void defaultChain_withAwsEndpointUrl_isTheRole() throws Exception {
        Result r = runDefaultChain(Map.of("AWS_ENDPOINT_URL", f.server.endpoint()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output().trim()).endsWith("arn:aws:sts::123456789012:assumed-role/sdk-compat/java-default-chain");
    }
}
