package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every call leaves a CloudTrail record: checked field by field for an allowed and each kind of
 * refused AssumeRoleWithWebIdentity, read back with the SDK's CloudTrail client (every lookup
 * attribute, pagination) and explained by {@code irsa explain}.
 */
class AuditTrailTest extends ServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    CloudTrailClient cloudtrail;
    String issuer;
    String provider;
    String roleArn;

    @BeforeAll
    void setUp() {
        cloudtrail = CloudTrailClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(f.server.adminKey().accessKeyId(),
                        f.server.adminKey().secretAccessKey()))).httpClient(UrlConnectionHttpClient.create()).build();
        issuer = f.createCluster("audited");
        provider = f.registerProvider(issuer);
        roleArn = f.iam.createRole(b -> b.roleName("audited").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")))
                .role().arn();
    }

    /** The record of a request id, through LookupEvents (EventId) after finding its event id by scanning. */
    JsonNode record(String requestId) throws Exception {
        // Up to an hour ahead: one refusal below is made with the server's clock moved forward.
        for (Event e : cloudtrail.lookupEventsPaginator(b -> b.maxResults(50).endTime(Instant.now().plus(Duration.ofHours(1)))).events()) {
            JsonNode r = JSON.readTree(e.cloudTrailEvent());
            if (r.path("requestID").asText().equals(requestId)) {
                return r;
            }
        }
        throw new AssertionError("no record for request " + requestId);
    }

    AwsServiceException refuse(String token, Consumer<software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest.Builder> more) {
        return catchThrowableOfType(AwsServiceException.class, () -> f.anonymousSts.assumeRoleWithWebIdentity(b -> {
            b.roleArn(roleArn).roleSessionName("audit").webIdentityToken(token);
            more.accept(b);
        }));
    }

    @Test
    void irsaAudit_printsNewestFirst_asItsHelpSays() throws Exception {
        for (String name : List.of("audit-order-older", "audit-order-newer")) {
            catchThrowableOfType(AwsServiceException.class, () -> f.iam.getRole(b -> b.roleName(name)));
        }
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.allCommands().execute("audit", "--data", f.data.toString(), "--event", "GetRole", "--format", "jsonl")).isZero();
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out.indexOf("audit-order-newer")).isNotNegative().isLessThan(out.indexOf("audit-order-older"));
    }

    String explain(String requestId) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.allCommands().execute("explain", requestId, "--data", f.data.toString())).isZero();
            return buffer.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void allowedWebIdentity_isRecordedAsAwsWritesIt() throws Exception {
        AssumeRoleWithWebIdentityResponse ok = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("audited-ok")
                .durationSeconds(900).webIdentityToken(tokenFor("app")));
        JsonNode r = record(ok.responseMetadata().requestId());
        String sub = "system:serviceaccount:default:app";
        assertThat(r.path("eventVersion").asText()).isEqualTo("1.08");
        assertThat(r.path("userIdentity").path("type").asText()).isEqualTo("WebIdentityUser");
        assertThat(r.path("userIdentity").path("principalId").asText()).isEqualTo(provider + ":sts.amazonaws.com:" + sub);
        assertThat(r.path("userIdentity").path("userName").asText()).isEqualTo(sub);
        assertThat(r.path("userIdentity").path("identityProvider").asText()).isEqualTo(provider);
        assertThat(r.path("userIdentity").has("accountId")).isFalse();
        assertThat(r.path("eventSource").asText()).isEqualTo("sts.amazonaws.com");
        assertThat(r.path("eventName").asText()).isEqualTo("AssumeRoleWithWebIdentity");
        assertThat(r.path("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(r.path("sourceIPAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(r.path("userAgent").asText()).contains("aws-sdk-java");
        assertThat(r.path("requestParameters").path("roleArn").asText()).isEqualTo(roleArn);
        assertThat(r.path("requestParameters").path("roleSessionName").asText()).isEqualTo("audited-ok");
        assertThat(r.path("requestParameters").path("durationSeconds").asInt()).isEqualTo(900);
        assertThat(r.path("requestParameters").has("webIdentityToken")).isFalse();
        JsonNode response = r.path("responseElements");
        assertThat(response.path("credentials").path("accessKeyId").asText()).isEqualTo(ok.credentials().accessKeyId());
        assertThat(response.path("credentials").path("sessionToken").asText()).isEmpty();
        assertThat(response.path("credentials").has("secretAccessKey")).isFalse();
        assertThat(response.path("credentials").path("expiration").asText()).matches("[A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2}:\\d{2} [AP]M");
        assertThat(response.path("subjectFromWebIdentityToken").asText()).isEqualTo(sub);
        assertThat(response.path("assumedRoleUser").path("arn").asText()).isEqualTo(ok.assumedRoleUser().arn());
        assertThat(response.path("assumedRoleUser").path("assumedRoleId").asText()).isEqualTo(ok.assumedRoleUser().assumedRoleId());
        // In CloudTrail's order, the same in every run (a Map.of's order is random per JVM).
        assertThat(response.path("assumedRoleUser").fieldNames()).toIterable().containsExactly("assumedRoleId", "arn");
        assertThat(response.fieldNames()).toIterable()
                .containsExactly("credentials", "subjectFromWebIdentityToken", "assumedRoleUser", "provider", "audience");
        assertThat(response.path("provider").asText()).isEqualTo(provider);
        assertThat(response.path("audience").asText()).isEqualTo("sts.amazonaws.com");
        assertThat(r.path("requestID").asText()).isEqualTo(ok.responseMetadata().requestId());
        assertThat(r.path("eventID").asText()).hasSize(36);
        assertThat(r.path("readOnly").asBoolean()).isTrue();
        assertThat(r.path("resources").get(0).path("type").asText()).isEqualTo("AWS::IAM::Role");
        assertThat(r.path("resources").get(0).path("ARN").asText()).isEqualTo(roleArn);
        assertThat(r.path("resources").get(0).path("accountId").asText()).isEqualTo("123456789012");
        assertThat(r.path("eventType").asText()).isEqualTo("AwsApiCall");
        assertThat(r.path("managementEvent").asBoolean()).isTrue();
        assertThat(r.path("recipientAccountId").asText()).isEqualTo("123456789012");
        assertThat(r.path("eventCategory").asText()).isEqualTo("Management");
        assertThat(r.has("errorCode")).isFalse();
        assertThat(r.toString()).doesNotContain(ok.credentials().secretAccessKey()).doesNotContain(ok.credentials().sessionToken());
        assertThat(r.path("additionalEventData").path("allowedBy").asText()).as("the statement that allowed it").isEqualTo("Statement[0]");
        assertThat(explain(ok.responseMetadata().requestId())).contains("answer    allowed by the trust policy's Statement[0]");
    }

    @Test
    void assumeRole_recordsTheStatementThatAllowedIt() throws Exception {
        f.iam.createRole(b -> b.roleName("assumable").assumeRolePolicyDocument("""
                {"Version":"2012-10-17","Statement":[
                 {"Sid":"Elsewhere","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"},
                 {"Sid":"OwnAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"""));
        var ok = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::123456789012:role/assumable").roleSessionName("chained"));
        JsonNode r = record(ok.responseMetadata().requestId());
        assertThat(r.path("additionalEventData").path("allowedBy").asText()).isEqualTo("Statement[1] (Sid OwnAccount)");
    }

    String tokenFor(String sa) {
        try {
            return f.token("audited", "default", sa);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String requestId(AwsServiceException e) {
        return e.requestId();
    }

    /** The troubleshooting rows: each refusal recorded with its stage, and explained with a fix. */
    @Test
    void refusals_areRecordedWithTheirStage_andExplained() throws Exception {
        record Row(String name, AwsServiceException error, String stage, String reason, String fix) {
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("condition mismatch on sub", refuse(tokenFor("other"), b -> { }), "trust-policy",
                "does not hold: request value `system:serviceaccount:default:other`", "allow `system:serviceaccount:default:other`"));
        rows.add(new Row("wrong audience", refuse(f.token("audited", "default", "app", List.of("not-sts"), null), b -> { }), "claims",
                "audience [not-sts] is not in the client IDs [sts.amazonaws.com]", "add-client-id-to-open-id-connect-provider"));
        String unregistered = f.createCluster("unregistered-audit");
        rows.add(new Row("wrong OIDC provider", refuse(f.token("unregistered-audit", "default", "app"), b -> { }), "provider-lookup",
                "has no OIDC provider for the token's issuer `" + unregistered + "`", "create-open-id-connect-provider --url " + unregistered));
        String shortLived = f.token("audited", "default", "app", List.of("sts.amazonaws.com"), 600L);
        f.clock.advance(Duration.ofMinutes(11));
        rows.add(new Row("expired token", refuse(shortLived, b -> { }), "claims", "the token expired at", "read the token file again"));
        f.clock.reset();
        rows.add(new Row("unknown role", refuse(tokenFor("app"), b -> b.roleArn("arn:aws:iam::123456789012:role/missing")), "role-lookup",
                "does not exist", "check AWS_ROLE_ARN"));
        String otherRole = f.iam.createRole(b -> b.roleName("no-provider").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:oidc-provider/other.example.com\"},"
                        + "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
        rows.add(new Row("trust policy missing the provider", refuse(tokenFor("app"), b -> b.roleArn(otherRole)), "trust-policy",
                "principal is not named in Principal", "does not name this provider"));
        String host = issuer.replaceFirst("^https?://", "");
        String wildcardKey = f.iam.createRole(b -> b.roleName("wildcard-key").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringLike\":{\"*:sub\":\"system:serviceaccount:default:app\"}}}]}")).role().arn();
        rows.add(new Row("a wildcard in the condition key", refuse(tokenFor("app"), b -> b.roleArn(wildcardKey)), "trust-policy",
                "does not hold", "has a wildcard, and IAM never matches keys as patterns"));
        String namespaceKey = f.iam.createRole(b -> b.roleName("namespace-key").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\","
                + "\"Condition\":{\"StringEquals\":{\"" + host + ":namespace\":\"default\"}}}]}")).role().arn();
        rows.add(new Row("a condition key tokens never carry", refuse(tokenFor("app"), b -> b.roleArn(namespaceKey)), "trust-policy",
                "does not hold", "is never present: STS makes condition keys of a token's sub, aud, amr and azp only"));
        try (TestIssuer down = new TestIssuer()) {
            String p = f.iam.createOpenIDConnectProvider(b -> b.url(down.url).clientIDList("sts.amazonaws.com")).openIDConnectProviderArn();
            String role = f.iam.createRole(b -> b.roleName("unreachable-idp").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                    + "\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + p + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")).role().arn();
            String t = down.token("user", "sts.amazonaws.com", c -> { });
            down.close();
            // LookupEvents tells the tenant only that the keys could not be retrieved (what this server found on
            // its network stays out of the tenant's view); the administrator's explain has the detail.
            Row unreachable = new Row("OIDC endpoint unreachable", refuse(t, b -> b.roleArn(role)), "key-retrieval", "could not be retrieved",
                    "must be reachable");
            rows.add(unreachable);
            assertThat(explain(requestId(unreachable.error()))).contains("could not be reached").contains(down.url);
        }

        for (Row row : rows) {
            JsonNode r = record(requestId(row.error()));
            assertThat(r.path("errorCode").asText()).as(row.name()).isEqualTo(row.error().awsErrorDetails().errorCode());
            assertThat(r.path("errorMessage").asText()).as(row.name()).isEqualTo(row.error().awsErrorDetails().errorMessage());
            assertThat(r.path("responseElements").isNull()).as(row.name()).isTrue();
            JsonNode denial = r.path("additionalEventData").path("denial");
            assertThat(denial.path("stage").asText()).as(row.name()).isEqualTo(row.stage());
            assertThat(denial.path("reason").asText()).as(row.name()).contains(row.reason());
            String explained = explain(requestId(row.error()));
            assertThat(explained).as(row.name()).contains("stage     " + row.stage()).contains(row.fix())
                    .contains("answer    " + row.error().awsErrorDetails().errorCode());
            // The caller's answer stays AWS's, whatever the record says.
            assertThat(row.error().awsErrorDetails().errorMessage()).doesNotContain("Statement[").doesNotContain("client IDs");
        }
    }

    @Test
    void lookupEvents_byEachAttribute_andPages() throws Exception {
        AssumeRoleWithWebIdentityResponse ok = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("lookup")
                .webIdentityToken(tokenFor("app")));
        JsonNode r = record(ok.responseMetadata().requestId());
        String eventId = r.path("eventID").asText();
        String adminKey = f.server.adminKey().accessKeyId();
        f.iam.getRole(b -> b.roleName("audited"));

        assertThat(lookup(LookupAttributeKey.EVENT_ID, eventId).events()).singleElement().satisfies(e -> {
            assertThat(e.eventName()).isEqualTo("AssumeRoleWithWebIdentity");
            assertThat(e.readOnly()).isEqualTo("true");
            assertThat(e.username()).isEqualTo("system:serviceaccount:default:app");
            assertThat(e.eventSource()).isEqualTo("sts.amazonaws.com");
            assertThat(e.resources()).singleElement().satisfies(res -> {
                assertThat(res.resourceType()).isEqualTo("AWS::IAM::Role");
                assertThat(res.resourceName()).isEqualTo(roleArn);
            });
            assertThat(e.eventTime()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(5));
        });
        assertThat(lookup(LookupAttributeKey.EVENT_NAME, "AssumeRoleWithWebIdentity").events()).allMatch(e -> e.eventName().equals("AssumeRoleWithWebIdentity"));
        assertThat(lookup(LookupAttributeKey.USERNAME, "system:serviceaccount:default:app").events()).isNotEmpty()
                .allMatch(e -> e.username().equals("system:serviceaccount:default:app"));
        assertThat(lookup(LookupAttributeKey.READ_ONLY, "false").events()).isNotEmpty().allMatch(e -> e.readOnly().equals("false"));
        assertThat(lookup(LookupAttributeKey.RESOURCE_TYPE, "AWS::EKS::Cluster").events()).isNotEmpty().allMatch(e -> e.eventSource().equals("eks.amazonaws.com"));
        assertThat(lookup(LookupAttributeKey.RESOURCE_NAME, roleArn).events()).isNotEmpty()
                .allMatch(e -> e.resources().get(0).resourceName().equals(roleArn));
        assertThat(lookup(LookupAttributeKey.EVENT_SOURCE, "iam.amazonaws.com").events()).isNotEmpty().allMatch(e -> e.eventSource().equals("iam.amazonaws.com"));
        assertThat(lookup(LookupAttributeKey.ACCESS_KEY_ID, adminKey).events()).isNotEmpty().allMatch(e -> adminKey.equals(e.accessKeyId()));

        // Pagination: pages of 2, newest first, no event twice, the same events as one big page.
        List<String> paged = new ArrayList<>();
        cloudtrail.lookupEventsPaginator(b -> b.maxResults(2).lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_SOURCE).attributeValue("iam.amazonaws.com")))
                .events().forEach(e -> paged.add(e.eventId()));
        List<String> whole = cloudtrail.lookupEvents(b -> b.maxResults(50).lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_SOURCE)
                .attributeValue("iam.amazonaws.com"))).events().stream().map(Event::eventId).toList();
        assertThat(paged).doesNotHaveDuplicates().startsWith(whole.subList(0, Math.min(whole.size(), 50)).toArray(String[]::new));
        List<Event> newestFirst = cloudtrail.lookupEvents(b -> b.maxResults(50)).events();
        for (int i = 1; i < newestFirst.size(); i++) {
            assertThat(newestFirst.get(i).eventTime()).isBeforeOrEqualTo(newestFirst.get(i - 1).eventTime());
        }
    }

    LookupEventsResponse lookup(LookupAttributeKey key, String value) {
        return cloudtrail.lookupEvents(b -> b.lookupAttributes(a -> a.attributeKey(key).attributeValue(value)));
    }

    @Test
    void lookupEvents_refusesBadInput_withCloudTrailsErrors() {
        assertThat(error(b -> b.maxResults(51))).isEqualTo("InvalidMaxResultsException");
        assertThat(error(b -> b.startTime(Instant.now()).endTime(Instant.now().minusSeconds(60)))).isEqualTo("InvalidTimeRangeException");
        assertThat(error(b -> b.nextToken("garbage!"))).isEqualTo("InvalidNextTokenException");
        assertThat(error(b -> b.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("x"),
                a -> a.attributeKey(LookupAttributeKey.USERNAME).attributeValue("y")))).isEqualTo("InvalidLookupAttributesException");
        assertThat(error(b -> b.lookupAttributes(a -> a.attributeKey("Bogus").attributeValue("x")))).isEqualTo("InvalidLookupAttributesException");
        // A token is good only with the parameters it was issued for.
        String token = cloudtrail.lookupEvents(b -> b.maxResults(1)).nextToken();
        assertThat(token).isNotNull();
        assertThat(error(b -> b.maxResults(1).nextToken(token).lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("GetRole"))))
                .isEqualTo("InvalidNextTokenException");
    }

    String error(Consumer<LookupEventsRequest.Builder> request) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> cloudtrail.lookupEvents(request));
        assertThat(e.statusCode()).isEqualTo(400);
        return e.awsErrorDetails().errorCode();
    }

    @Test
    void signedCalls_carryTheCallersIdentity() throws Exception {
        var creds = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(roleArn).roleSessionName("signed-caller")
                .webIdentityToken(tokenFor("app"))).credentials();
        var me = f.sts(creds).getCallerIdentity();
        JsonNode r = record(me.responseMetadata().requestId());
        JsonNode who = r.path("userIdentity");
        assertThat(who.path("type").asText()).isEqualTo("AssumedRole");
        assertThat(who.path("arn").asText()).isEqualTo("arn:aws:sts::123456789012:assumed-role/audited/signed-caller");
        assertThat(who.path("accessKeyId").asText()).isEqualTo(creds.accessKeyId());
        assertThat(who.path("sessionContext").path("sessionIssuer").path("arn").asText()).isEqualTo(roleArn);
        assertThat(who.path("sessionContext").path("webIdFederationData").path("federatedProvider").asText()).isEqualTo(provider);
        assertThat(r.path("eventName").asText()).isEqualTo("GetCallerIdentity");
        assertThat(r.path("readOnly").asBoolean()).isTrue();

        var created = f.iam.createRole(b -> b.roleName("audited-create").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "x", "y")));
        JsonNode c = record(created.responseMetadata().requestId());
        assertThat(c.path("userIdentity").path("type").asText()).isEqualTo("Root");
        assertThat(c.path("readOnly").asBoolean()).isFalse();
        assertThat(c.path("requestParameters").path("roleName").asText()).isEqualTo("audited-create");
        assertThat(c.path("resources").get(0).path("ARN").asText()).isEqualTo("arn:aws:iam::123456789012:role/audited-create");
    }
}
