package io.openirsa.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issuers over https behind a private CA: refused until trusted, then trusted through a registered
 * thumbprint (IAM's rule) or a CA bundle (OpenIRSA's extension), and never for another host name.
 */
class HttpsIssuerTest extends ServerTest {
    TestCertificates certs;
    TestIssuer issuer;
    TestIssuer wrongHost;

    @BeforeAll
    void setUp() throws Exception {
        certs = new TestCertificates(Files.createTempDirectory(f.data, "certs"));
        issuer = new TestIssuer(certs.server("good", "127.0.0.1"));
        wrongHost = new TestIssuer(certs.server("other", "127.0.0.2"));
    }

    @AfterAll
    void stopIssuers() {
        issuer.close();
        wrongHost.close();
    }

    String role(TestIssuer i, String name, String... thumbprints) {
        String provider = f.iam.createOpenIDConnectProvider(b -> b.url(i.url).clientIDList("my-app").thumbprintList(thumbprints))
                .openIDConnectProviderArn();
        return f.iam.createRole(b -> b.roleName(name).assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider
                        + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
    }

    AwsServiceException refused(String role, TestIssuer i) throws Exception {
        String token = i.token("user-1", "my-app", c -> { });
        return catchThrowableOfType(AwsServiceException.class,
                () -> f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("tls").webIdentityToken(token)));
    }

    String accepted(String role, TestIssuer i) throws Exception {
        String token = i.token("user-1", "my-app", c -> { });
        return f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("tls").webIdentityToken(token))
                .subjectFromWebIdentityToken();
    }

    @Test
    void privateCa_isRefused_untilTrusted_thenAcceptedThroughTheCaBundle() throws Exception {
        String role = role(issuer, "tls-bundle");
        AwsServiceException e = refused(role, issuer);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint");

        var ca = Files.writeString(certs.dir.resolve("bundle.pem"), certs.caPem);
        int exit = Main.allCommands().execute("provider", "set-ca", "--url", issuer.url, "--ca-file", ca.toString(),
                "--data", f.data.toString());
        assertThat(exit).isZero();
        f.server.catchUp(); // what the server hears within 50 ms of another process's change
        assertThat(accepted(role, issuer)).isEqualTo("user-1");
    }

    @Test
    void registeredThumbprint_ofTheCa_isTrusted() throws Exception {
        TestIssuer other = new TestIssuer(certs.server("thumb", "127.0.0.1"));
        try {
            assertThat(accepted(role(other, "tls-thumb", certs.caThumbprint()), other)).isEqualTo("user-1");
        } finally {
            other.close();
        }
    }

    @Test
    void anotherThumbprint_isNotTrusted() throws Exception {
        TestIssuer other = new TestIssuer(certs.server("nothumb", "127.0.0.1"));
        try {
            assertThat(refused(role(other, "tls-wrong-thumb", "0".repeat(40)), other).awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
        } finally {
            other.close();
        }
    }

    @Test
    void thumbprintOfTheCa_doesNotExcuseAnotherHostName() throws Exception {
        // The certificate names 127.0.0.2; the issuer is reached at 127.0.0.1.
        assertThat(refused(role(wrongHost, "tls-host", certs.caThumbprint()), wrongHost).awsErrorDetails().errorCode())
                .isEqualTo("InvalidIdentityToken");
    }
}
