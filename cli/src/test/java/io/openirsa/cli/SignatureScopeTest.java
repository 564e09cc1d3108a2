package io.openirsa.cli;

import io.openirsa.server.sigv4.SigV4;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a signature fixes, tried as an attacker would: a presigned URL's query string fixes the
 * action and its parameters (a body it does not sign adds nothing), and the credential scope's
 * region must be one the service answers for.
 */
class SignatureScopeTest extends ServerTest {

    StaticCredentialsProvider admin() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey()));
    }

    /** A POST to / presigned for GetCallerIdentity with an unsigned payload, as S3-style presigners make them. */
    String presignedCallerIdentity() {
        String base = f.server.endpoint();
        String host = URI.create(base).getRawAuthority();
        String amzDate = SigV4.AMZ_DATE.format(Instant.now());
        String scope = amzDate.substring(0, 8) + "/us-east-1/sts/aws4_request";
        String q = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=" + SigV4.ALGORITHM
                + "&X-Amz-Credential=" + SigV4.encode(f.server.adminKey().accessKeyId() + "/" + scope)
                + "&X-Amz-Date=" + amzDate + "&X-Amz-Expires=300&X-Amz-SignedHeaders=host";
        String creq = SigV4.canonicalRequest("POST", "/", q, List.of("host"), Map.of("host", List.of(host)), "UNSIGNED-PAYLOAD", true);
        String signature = SigV4.signature(f.server.adminKey().secretAccessKey(), amzDate.substring(0, 8), "us-east-1", "sts",
                SigV4.stringToSign(amzDate, scope, creq));
        return base + "/?" + q + "&X-Amz-Signature=" + signature;
    }

    HttpResponse<String> post(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPresignedUrl_fixesItsAction_anUnsignedBodyAddsNothing() throws Exception {
        f.iam.createRole(b -> b.roleName("presign-target").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + Fixture.ACCOUNT + "\"},\"Action\":\"sts:AssumeRole\"}]}"));
        String url = presignedCallerIdentity();
        assertThat(post(url, "").statusCode()).as("the URL as presigned").isEqualTo(200);
        HttpResponse<String> smuggled = post(url, "Action=AssumeRole&Version=2011-06-15&RoleSessionName=smuggled&RoleArn="
                + SigV4.encode("arn:aws:iam::" + Fixture.ACCOUNT + ":role/presign-target"));
        assertThat(smuggled.statusCode()).isEqualTo(403);
        assertThat(smuggled.body()).contains("<Code>SignatureDoesNotMatch</Code>").doesNotContain("SecretAccessKey");
    }

    @Test
    void aMadeUpRegion_isRefused() {
        try (StsClient sts = StsClient.builder().endpointOverride(f.endpoint()).region(Region.of("xx-fake-9")).credentialsProvider(admin())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, sts::getCallerIdentity);
            assertThat(e).isNotNull();
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Credential should be scoped to a valid region, not 'xx-fake-9'.");
        }
    }

    @Test
    void stsAnswersInEveryAwsRegion_iamOnlyForUsEast1_eksOnlyForTheServersRegion() {
        try (StsClient sts = StsClient.builder().endpointOverride(f.endpoint()).region(Region.EU_WEST_1).credentialsProvider(admin())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            assertThat(sts.getCallerIdentity().account()).isEqualTo(Fixture.ACCOUNT);
        }
        try (IamClient iam = IamClient.builder().endpointOverride(f.endpoint()).region(Region.EU_WEST_1).credentialsProvider(admin())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, iam::listRoles);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
        }
        try (IamClient iam = IamClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1).credentialsProvider(admin())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            assertThat(iam.listRoles().roles()).isNotNull();
        }
        try (EksClient eks = EksClient.builder().endpointOverride(f.endpoint()).region(Region.US_WEST_2).credentialsProvider(admin())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            AwsServiceException e = catchThrowableOfType(AwsServiceException.class, eks::listClusters);
            assertThat(e).isNotNull();
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Credential should be scoped to a valid region, not 'us-west-2'.");
        }
    }
}
