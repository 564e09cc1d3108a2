package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed, oversized and hostile requests to every endpoint: each gets an answer below 500 with no
 * stack trace, and no secret reaches the log.
 */
class HostileInputTest extends ServerTest {
    HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void setUp() throws Exception {
        f.createCluster("hostile");
    }

    void assertClean(int status, String body, String what) {
        assertThat(status).as(what + " -> " + body).isBetween(200, 499);
        assertThat(body).as(what).doesNotContain("Exception:").doesNotContain("\tat ").doesNotContain("java.");
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.server.endpoint() + path));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void queryProtocol_malformedParameters() throws Exception {
        String form = "application/x-www-form-urlencoded";
        List<String> bodies = List.of("", "Action", "Action=", "Action=Nope&Version=2011-06-15", "Version=2010-05-08",
                "Action=AssumeRoleWithWebIdentity", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&DurationSeconds=abc",
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&DurationSeconds=99999999999999999999",
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + "a".repeat(5000) + "&RoleSessionName=x&WebIdentityToken=" + "y".repeat(30000),
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=ok&WebIdentityToken=%E0%A4%A",
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=ok&WebIdentityToken=" + "%00".repeat(10),
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=ok&Policy=%7B&WebIdentityToken=aaaa.bbbb.cccc",
                "Action=GetCallerIdentity&Version=2011-06-15", "Action=CreateRole&Version=2010-05-08",
                "%%%%=%%%", "a=b&&&&c", "Action=AssumeRoleWithWebIdentity&Version=1999-01-01");
        for (String body : bodies) {
            HttpResponse<String> r = send("POST", "/", form, body);
            assertClean(r.statusCode(), r.body(), body.length() > 80 ? body.substring(0, 80) : body);
            assertThat(r.body()).startsWith("<ErrorResponse");
        }
        HttpResponse<String> json = send("POST", "/", "application/json", "{\"Action\":\"GetCallerIdentity\"}");
        assertClean(json.statusCode(), json.body(), "json body");
    }

    @Test
    void forgedAuthorizationHeaders() throws Exception {
        List<String> headers = List.of("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=",
                "AWS4-HMAC-SHA256 Credential=AKIA/20990101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + "g".repeat(64),
                "AWS4-HMAC-SHA256 Credential=AKIA/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + "0".repeat(64),
                "Basic YWRtaW46YWRtaW4=", "AWS AKIA:sig", "AWS4-HMAC-SHA256 " + "Credential=x,".repeat(2000));
        for (String h : headers) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + "/"))
                    .header("Authorization", h).header("X-Amz-Date", "20150830T123600Z")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15")).build(), HttpResponse.BodyHandlers.ofString());
            assertClean(r.statusCode(), r.body(), h.substring(0, Math.min(60, h.length())));
            assertThat(r.statusCode()).isIn(400, 403);
            assertThat(r.body()).as("AWS's error, also for a 26 KB header").startsWith("<ErrorResponse");
        }
    }

    @Test
    void restAndIssuerEndpoints_junk() throws Exception {
        String[][] requests = {
                {"POST", "/clusters", "application/json", "{not json"},
                {"POST", "/clusters", "application/json", "[]"},
                {"GET", "/clusters?maxResults=abc", null, null},
                {"DELETE", "/clusters/%00%ff", null, null},
                {"GET", "/id/../../etc/passwd", null, null},
                {"GET", "/id/%2e%2e/.well-known/jwks.json", null, null},
                {"PUT", "/id/ABC/.well-known/openid-configuration", null, "x"},
                {"POST", "/clusters/hostile/api/v1/namespaces/default/serviceaccounts/app/token", "application/json", "{\"spec\":"},
                {"GET", "/clusters/hostile/api/v1/namespaces/default/serviceaccounts/app/token", null, null},
                {"GET", "/nowhere", null, null},
                {"DELETE", "/", null, null},
                {"GET", "/healthz", null, null}};
        for (String[] r : requests) {
            HttpResponse<String> resp = send(r[0], r[1], r[2], r[3]);
            assertClean(resp.statusCode(), resp.body(), r[0] + " " + r[1]);
        }
    }

    @Test
    void oversizedBody_is413() throws Exception {
        HttpResponse<String> r = send("POST", "/", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&x=" + "a".repeat(2 * 1024 * 1024));
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void randomBytes_overRawSockets() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 30; i++) {
            byte[] junk = new byte[random.nextInt(2000) + 1];
            random.nextBytes(junk);
            byte[] request = i % 2 == 0 ? junk
                    : ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + junk.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            try (Socket s = new Socket("127.0.0.1", f.server.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(request);
                if (i % 2 == 1) {
                    out.write(junk);
                }
                out.flush();
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                String answer = new String(in.readNBytes(65536), StandardCharsets.ISO_8859_1);
                if (!answer.isEmpty()) {
                    int status = Integer.parseInt(answer.substring(9, 12));
                    assertClean(status, answer, "random request " + i);
                }
            } catch (java.net.SocketException e) {
                // the server may drop a connection that is not HTTP: that is an answer too
            }
        }
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void secrets_neverReachTheLog() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured = new ch.qos.logback.core.read.ListAppender<>();
        captured.start();
        root.addAppender(captured);
        try {
            String issuer = f.eks.describeCluster(b -> b.name("hostile")).cluster().identity().oidc().issuer();
            String provider = f.registerProvider(issuer);
            f.iam.createRole(b -> b.roleName("logged").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")));
            String good = f.token("hostile", "default", "app");
            String other = f.token("hostile", "default", "intruder");
            var creds = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn("arn:aws:iam::123456789012:role/logged")
                    .roleSessionName("sess").webIdentityToken(good)).credentials();
            for (String t : List.of(other, good)) {  // a trust-policy denial, and an unknown role: both are logged
                for (String role : List.of("logged", "none")) {
                    send("POST", "/", "application/x-www-form-urlencoded", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=sess"
                            + "&RoleArn=arn:aws:iam::123456789012:role/" + role + "&WebIdentityToken=" + t);
                }
            }
            assertThat(captured.list).as("the refusals above are logged").isNotEmpty();
            for (var event : captured.list) {
                String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
                assertThat(line).doesNotContain(good).doesNotContain(other)
                        .doesNotContain(good.split("\\.")[2]).doesNotContain(other.split("\\.")[2])
                        .doesNotContain(f.server.adminKey().secretAccessKey())
                        .doesNotContain(creds.secretAccessKey()).doesNotContain(creds.sessionToken());
            }
        } finally {
            root.detachAppender(captured);
        }
    }
}
