package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * SigV4 forms the SDK clients do not exercise on their own: presigned URLs, signatures made at
 * another time, expired sessions. Requests are signed by the SDK's own signer, sent as they are.
 */
class SignedRequestsTest extends ServerTest {
    static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
    HttpClient http = HttpClient.newHttpClient();

    AwsCredentialsIdentity admin() {
        return AwsCredentialsIdentity.create(f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey());
    }

    HttpResponse<String> send(SignedRequest signed, String body) throws Exception {
        SdkHttpRequest r = signed.request();
        HttpRequest.Builder b = HttpRequest.newBuilder(r.getUri());
        r.headers().forEach((name, values) -> {
            if (!List.of("host", "content-length").contains(name.toLowerCase())) {
                values.forEach(v -> b.header(name, v));
            }
        });
        b.method(r.method().name(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    SignedRequest signPost(AwsCredentialsIdentity who, Clock clock) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(f.endpoint().resolve("/"))
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
        return AwsV4HttpSigner.create().sign(s -> s.identity(who).request(request)
                .payload(ContentStreamProvider.fromUtf8String(BODY))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    }

    SignedRequest presign(AwsCredentialsIdentity who, Duration expires, Clock clock) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(f.endpoint().resolve("/"))
                .putRawQueryParameter("Action", "GetCallerIdentity").putRawQueryParameter("Version", "2011-06-15").build();
        return AwsV4HttpSigner.create().sign(s -> s.identity(who).request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, expires)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    }

    static Clock at(Instant i) {
        return Clock.fixed(i, ZoneOffset.UTC);
    }

    @Test
    void presignedGetCallerIdentity_isAccepted() throws Exception {
        HttpResponse<String> r = send(presign(admin(), Duration.ofMinutes(5), Clock.systemUTC()), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<Arn>arn:aws:iam::123456789012:root</Arn>");
    }

    @Test
    void presignedUrl_pastItsExpiry_isRefused() throws Exception {
        SignedRequest signed = presign(admin(), Duration.ofSeconds(60), Clock.systemUTC());
        f.clock.advance(Duration.ofSeconds(120));
        HttpResponse<String> r = send(signed, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>SignatureDoesNotMatch</Code>").contains("Signature expired");
    }

    @Test
    void signatureFromTwentyMinutesAgo_isExpired() throws Exception {
        HttpResponse<String> r = send(signPost(admin(), at(Instant.now().minus(Duration.ofMinutes(20)))), BODY);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>SignatureDoesNotMatch</Code>").contains("Signature expired:").contains(" - 15 min.)");
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
    }

    @Test
    void sessionPastItsExpiration_isExpiredToken() throws Exception {
        String token = token();
        Credentials c = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(setUpRole()).roleSessionName("short")
                .durationSeconds(900).webIdentityToken(token)).credentials();
        AwsSessionCredentialsIdentity session = AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        assertThat(send(signPost(session, Clock.systemUTC()), BODY).statusCode()).isEqualTo(200);

        f.clock.advance(Duration.ofMinutes(16));
        HttpResponse<String> r = send(signPost(session, f.clock), BODY);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>ExpiredToken</Code>").contains("The security token included in the request is expired");
    }

    @Test
    void sessionTokenAlteredAfterUse_orSignedWithAnotherSecret_isRefused() throws Exception {
        String token = token();
        Credentials c = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(setUpRole()).roleSessionName("altered")
                .webIdentityToken(token)).credentials();
        AwsSessionCredentialsIdentity session = AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        // Used twice first, so the server has opened it and remembers it, and the signing key is derived.
        assertThat(send(signPost(session, Clock.systemUTC()), BODY).statusCode()).isEqualTo(200);
        assertThat(send(signPost(session, Clock.systemUTC()), BODY).statusCode()).isEqualTo(200);

        String t = c.sessionToken();
        for (int at : new int[] {0, 7, t.length() / 2, t.length() - 3}) {
            String altered = t.substring(0, at) + (t.charAt(at) == 'A' ? 'B' : 'A') + t.substring(at + 1);
            HttpResponse<String> r = send(signPost(AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), altered),
                    Clock.systemUTC()), BODY);
            assertThat(r.statusCode()).as("token altered at %d", at).isEqualTo(403);
        }
        String otherSecret = (c.secretAccessKey().charAt(0) == 'A' ? "B" : "A") + c.secretAccessKey().substring(1);
        HttpResponse<String> wrong = send(signPost(AwsSessionCredentialsIdentity.create(c.accessKeyId(), otherSecret, t), Clock.systemUTC()), BODY);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("<Code>SignatureDoesNotMatch</Code>");

        assertThat(send(signPost(session, Clock.systemUTC()), BODY).statusCode()).isEqualTo(200);
    }

    /** What the SDK's types never send, but a signed caller can: a tag whose value is not a string. */
    @Test
    void eksTagsThatAreNotStrings_areInvalidParameters() throws Exception {
        for (String tags : List.of("{\"team\":[[],[]]}", "{\"team\":1}", "{\"team\":{}}", "[\"team\"]", "\"team\"")) {
            String body = "{\"name\":\"tagged\",\"tags\":" + tags + "}";
            SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(f.endpoint().resolve("/clusters"))
                    .putHeader("Content-Type", "application/json").build();
            SignedRequest signed = AwsV4HttpSigner.create().sign(s -> s.identity(admin()).request(request)
                    .payload(ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "eks")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
            HttpResponse<String> r = send(signed, body);
            assertThat(r.statusCode()).as(tags).isEqualTo(400);
            assertThat(r.headers().firstValue("x-amzn-ErrorType").orElse("")).as(tags).startsWith("InvalidParameterException");
            assertThat(r.body()).as(tags).contains("tags must be a map of strings");
        }
    }

    @Test
    void unsignedIamCall_isMissingAuthenticationToken() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(f.endpoint().resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Action=ListRoles&Version=2010-05-08")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">")
                .contains("<Type>Sender</Type>").contains("<Code>MissingAuthenticationToken</Code>");
    }

    @Test
    void assumeRoleWithWebIdentity_overGet_works() throws Exception {
        String query = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=get&RoleArn="
                + java.net.URLEncoder.encode(setUpRole(), java.nio.charset.StandardCharsets.UTF_8) + "&WebIdentityToken=" + token();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + "/?" + query)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/xml");
        assertThat(r.body()).startsWith("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>")
                .contains("<AssumedRoleUser><AssumedRoleId>AROA").contains("<ResponseMetadata><RequestId>");
    }

    private String roleArn;

    private String setUpRole() {
        if (roleArn == null) {
            String issuer = f.createCluster("signed");
            String provider = f.registerProvider(issuer);
            roleArn = f.iam.createRole(b -> b.roleName("signed").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                    .role().arn();
        }
        return roleArn;
    }

    private String token() throws Exception {
        setUpRole();
        return f.token("signed", "default", "app");
    }

}
