package io.openirsa.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.iam.model.SimulateCustomPolicyResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a caller without credentials (or with few) can make the server spend, tried as an attacker
 * would: session policies are not compiled before the token is verified, metric labels and event
 * names do not grow with made-up actions, audit records do not keep megabytes of parameters, the
 * simulator answers in pages, and a policy nested deep is refused, not a 500.
 */
class UnauthenticatedCostsTest extends ServerTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> form(String body, String userAgent) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aSessionPolicy_isNotCompiledBeforeTheTokenIsVerified() throws Exception {
        // A malformed policy with a junk token: the token is refused first, so the policy was never parsed or kept.
        HttpResponse<String> r = form("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=s1&WebIdentityToken=a.b.c"
                + "&RoleArn=" + enc("arn:aws:iam::123456789012:role/x") + "&Policy=" + enc("{\"Statement\":[{\"x\":\"" + UUID.randomUUID() + "\"}"), "t");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>InvalidIdentityToken</Code>");
    }

    @Test
    void madeUpActions_shareOneMetricLabel_andOneEventName() throws Exception {
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String action = "Made" + UUID.randomUUID().toString().replace("-", "") + "x".repeat(2000);
            actions.add(action);
            assertThat(form("Action=" + action + "&Version=2011-06-15", "t").statusCode()).isEqualTo(400);
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("action=\"Unknown\"");
        assertThat(actions).noneMatch(a -> metrics.contains(a.substring(0, 36)));
        assertThat(metrics.length()).isLessThan(200_000);
    }

    @Test
    void oversizedParameters_areLeftOutOfTheRecord_andTheUserAgentIsCut() throws Exception {
        String marker = UUID.randomUUID().toString();
        String huge = "p".repeat(900_000);
        HttpResponse<String> r = form("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=" + marker + "&WebIdentityToken=a.b.c"
                + "&RoleArn=" + enc("arn:aws:iam::123456789012:role/x") + "&Junk=" + huge, "ua-" + "u".repeat(5000));
        assertThat(r.statusCode()).isBetween(400, 499);
        try (CloudTrailClient trail = f.cloudTrail()) {
            var events = trail.lookupEvents(b -> b.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("AssumeRoleWithWebIdentity")).maxResults(50)).events();
            String record = events.stream().map(e -> e.cloudTrailEvent()).filter(e -> e.contains("requestParametersOmitted")).findFirst().orElseThrow();
            assertThat(record.length()).isLessThan(10_000);
            assertThat(record).doesNotContain(marker).contains("\"requestParameters\":null").contains("ua-uuu");
        }
    }

    /** A validation error quotes the value, once per rule it breaks: never more than 4 KB of it, however much was sent. */
    @Test
    void aMessageQuotingTheCaller_isBounded() throws Exception {
        HttpResponse<String> r = form("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=a.b.c&RoleArn="
                + enc("arn:aws:iam::123456789012:role/x") + "&RoleSessionName=" + "%26".repeat(300_000), "t");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>ValidationError</Code>").contains("Value '&amp;&amp;");
        assertThat(r.body().length()).as("the 300,000 characters quoted twice, escaped: 3 MB before").isLessThan(25_000);
    }

    @Test
    void theSimulator_answersInPages_withinIamsLimits() {
        List<String> actions = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            actions.add("s3:GetObject" + i);
            resources.add("arn:aws:s3:::bucket/" + i);
        }
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
        SimulateCustomPolicyResponse first = f.iam.simulateCustomPolicy(b -> b.policyInputList(doc).actionNames(actions).resourceArns(resources));
        assertThat(first.evaluationResults()).hasSize(100);
        assertThat(first.isTruncated()).isTrue();
        SimulateCustomPolicyResponse next = f.iam.simulateCustomPolicy(b -> b.policyInputList(doc).actionNames(actions).resourceArns(resources)
                .maxItems(1000).marker(first.marker()));
        assertThat(next.evaluationResults()).hasSize(1000);
        assertThat(next.evaluationResults().get(0).evalActionName()).isEqualTo("s3:GetObject0");
        assertThat(next.evaluationResults().get(0).evalResourceName()).isEqualTo("arn:aws:s3:::bucket/100");
        assertThat(next.marker()).isNotNull();
        var tooLong = org.assertj.core.api.Assertions.catchThrowableOfType(software.amazon.awssdk.awscore.exception.AwsServiceException.class,
                () -> f.iam.simulateCustomPolicy(b -> b.policyInputList(doc).actionNames("s3:" + "x".repeat(200))));
        assertThat(tooLong.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
    }

    @Test
    void manyLargeBodiesAtOnce_getServiceUnavailable_insteadOfFillingTheHeap() throws Exception {
        // 400 such clients ran a 96 MiB server out of memory; bodies in flight are now budgeted (16 MiB).
        URI endpoint = URI.create(f.server.endpoint());
        List<java.net.Socket> held = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < 40; i++) {
                java.net.Socket s = new java.net.Socket(endpoint.getHost(), endpoint.getPort());
                s.setSoTimeout(500); // an admitted one waits for its body; a refused one has its answer at once
                held.add(s);
                s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 1000000\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15&x=").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            for (java.net.Socket s : held) {
                try {
                    byte[] answer = s.getInputStream().readNBytes(12);
                    if (new String(answer, StandardCharsets.US_ASCII).equals("HTTP/1.1 503")) {
                        refused++;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // admitted: the server waits for the rest of its body
                }
            }
        } finally {
            for (java.net.Socket s : held) {
                s.close();
            }
        }
        assertThat(refused).as("requests refused before their bodies were read").isGreaterThanOrEqualTo(40 - 16);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(f.server.endpoint() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(f.sts.getCallerIdentity().account()).isEqualTo(Fixture.ACCOUNT);
    }

    @Test
    void deepNestingAndHugeListIndexes_are4xx() throws Exception {
        String deep = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":"
                + "[".repeat(2000) + "]".repeat(2000) + "}]}";
        var e = org.assertj.core.api.Assertions.catchThrowableOfType(software.amazon.awssdk.awscore.exception.AwsServiceException.class,
                () -> f.iam.createPolicy(b -> b.policyName("deep").policyDocument(deep)));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
        HttpResponse<String> r = form("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&PolicyArns.member.99999999999.arn=x&RoleSessionName=s1"
                + "&WebIdentityToken=a.b.c&RoleArn=" + enc("arn:aws:iam::123456789012:role/x"), "t");
        assertThat(r.statusCode()).isBetween(400, 499);
    }
}
