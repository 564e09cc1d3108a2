package io.openirsa.cli;

import io.openirsa.server.sigv4.SigV4;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random requests to every API, unsigned and signed by the administrator (so the fuzz reaches each
 * operation's own handling): the query protocol's forms, JSON 1.1, REST-JSON, the issuer's paths,
 * TokenRequest and odd headers. None may answer 5xx. Seeded, so a failure repeats; the seed and
 * the request are in the message.
 */
class ServerErrorFuzzTest extends ServerTest {
    static final long SEED = 22L;
    static final String[] ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRole", "GetCallerIdentity", "CreateOpenIDConnectProvider",
            "GetOpenIDConnectProvider", "ListOpenIDConnectProviders", "DeleteOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
            "RemoveClientIDFromOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint", "CreateRole", "GetRole", "ListRoles", "UpdateRole",
            "DeleteRole", "UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "PutRolePolicy",
            "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy", "CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy",
            "CreatePolicyVersion", "GetPolicyVersion", "ListPolicyVersions", "SetDefaultPolicyVersion", "DeletePolicyVersion",
            "SimulatePrincipalPolicy", "SimulateCustomPolicy", "Nope"};
    static final String[] PARAMS = {"RoleArn", "RoleSessionName", "WebIdentityToken", "DurationSeconds", "Policy", "PolicyArns.member.1.arn",
            "ProviderId", "ExternalId", "SourceIdentity", "Tags.member.1.Key", "Tags.member.1.Value", "TransitiveTagKeys.member.1", "Url",
            "ClientIDList.member.1", "ThumbprintList.member.1", "OpenIDConnectProviderArn", "ClientID", "RoleName", "Path", "PathPrefix",
            "AssumeRolePolicyDocument", "PolicyDocument", "Description", "MaxSessionDuration", "MaxItems", "Marker", "PolicyArn", "PolicyName",
            "VersionId", "SetAsDefault", "Scope", "OnlyAttached", "PolicySourceArn", "ActionNames.member.1", "ResourceArns.member.1",
            "PolicyInputList.member.1", "ContextEntries.member.1.ContextKeyName", "ContextEntries.member.1.ContextKeyValues.member.1",
            "ContextEntries.member.1.ContextKeyType", "Tags.member.99999999999.Key", "ActionNames.member.-1"};
    static final String[] VALUES = {"", " ", "x", "0", "-1", "2147483648", "99999999999999999999", "1e9", "NaN", "true", "arn:aws:iam::123456789012:role/fuzz",
            "arn:aws:iam::123456789012:oidc-provider/example.com", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/x",
            "https://example.com", "http://127.0.0.1:1/x", "file:///etc/passwd", "{", "{}", "[]", "null", "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"x\"}}}}",
            "\u0000", "\uD800", "é", "%", "v1", "v9", "All", "/", "//", "/a/", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "🙂".repeat(300)};
    final HttpClient http = HttpClient.newHttpClient();
    final Random random = new Random(SEED);
    /** Answers by status class: the fuzz must reach operations, not only be refused at the door. */
    final int[] byClass = new int[6];

    @BeforeAll
    void cluster() {
        f.createCluster("fuzz");
    }

    String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }

    String value() {
        return switch (random.nextInt(10)) {
            case 0 -> "z".repeat(random.nextInt(5000));
            case 1 -> Long.toString(random.nextLong());
            default -> pick(VALUES);
        };
    }

    /** What an HTTP client lets into a header: printable ASCII. */
    static String headerSafe(String s) {
        return s.replaceAll("[^\\x21-\\x7e]", "");
    }

    String form() {
        Map<String, String> params = new TreeMap<>();
        int a = random.nextInt(ACTIONS.length);
        params.put("Action", ACTIONS[a]);
        // Mostly the version the action belongs to (the first three are STS's), so calls reach the operations.
        params.put("Version", random.nextInt(8) == 0 ? "x" : (a < 3) == (random.nextInt(6) > 0) ? "2011-06-15" : "2010-05-08");
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            params.put(pick(PARAMS), value());
        }
        StringBuilder b = new StringBuilder();
        params.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(SigV4.encode(k)).append('=').append(SigV4.encode(v)));
        return b.toString();
    }

    /** Signs with the administrator's key for {@code service} in us-east-1, as an SDK would. */
    HttpRequest.Builder signed(HttpRequest.Builder b, String method, String path, String query, String body, String service, Map<String, String> headers) {
        String host = URI.create(f.server.endpoint()).getRawAuthority();
        String amzDate = SigV4.AMZ_DATE.format(Instant.now());
        String scope = amzDate.substring(0, 8) + "/us-east-1/" + service + "/aws4_request";
        Map<String, List<String>> signedHeaders = new LinkedHashMap<>();
        signedHeaders.put("host", List.of(host));
        signedHeaders.put("x-amz-date", List.of(amzDate));
        headers.forEach((k, v) -> signedHeaders.put(k.toLowerCase(Locale.ROOT), List.of(v)));
        List<String> names = new ArrayList<>(new TreeMap<>(signedHeaders).keySet());
        String creq = SigV4.canonicalRequest(method, SigV4.canonicalUri(path, true), query, names, signedHeaders,
                SigV4.hex(SigV4.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))), false);
        String signature = SigV4.signature(f.server.adminKey().secretAccessKey(), amzDate.substring(0, 8), "us-east-1", service,
                SigV4.stringToSign(amzDate, scope, creq));
        headers.forEach(b::header);
        return b.header("X-Amz-Date", amzDate).header("Authorization", SigV4.ALGORITHM + " Credential=" + f.server.adminKey().accessKeyId() + "/" + scope
                + ", SignedHeaders=" + String.join(";", names) + ", Signature=" + signature);
    }

    void send(String method, String path, String query, String body, String service, Map<String, String> headers, boolean sign) throws Exception {
        URI uri = URI.create(f.server.endpoint() + path + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body.isEmpty() && !method.equals("POST")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (sign) {
            signed(b, method, path, query, body, service, headers);
        } else {
            headers.forEach(b::header);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String what = "seed " + SEED + ": " + method + " " + path + "?" + query + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        assertThat(r.statusCode()).as(what + " -> " + r.body()).isLessThan(500);
        byClass[r.statusCode() / 100]++;
        assertThat(r.body()).as(what).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    @Test
    void queryProtocol_neverAnswers5xx() throws Exception {
        for (int i = 0; i < 600; i++) {
            String body = form();
            boolean sign = random.nextInt(3) > 0;
            String service = body.contains("Version=2010-05-08") ? "iam" : "sts";
            send("POST", "/", "", body, service, Map.of("Content-Type", "application/x-www-form-urlencoded"), sign);
        }
        assertThat(byClass[2]).as("signed calls that the operations answered").isGreaterThan(10);
    }

    @Test
    void jsonAndRestJson_neverAnswer5xx() throws Exception {
        String[] bodies = {"", "{", "[]", "null", "{}", "{\"name\":\"fuzz2\",\"roleArn\":\"arn:aws:iam::123456789012:role/x\",\"resourcesVpcConfig\":{}}",
                "{\"namespace\":\"default\",\"serviceAccount\":\"a\",\"roleArn\":\"arn:aws:iam::123456789012:role/x\"}",
                "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\":\"x\"}],\"MaxResults\":-5}",
                "{\"StartTime\":\"x\",\"EndTime\":1e400,\"NextToken\":\"%%%\"}", "{\"token\":\"a.b.c\"}", "{\"spec\":{\"audiences\":[1,{}],\"expirationSeconds\":-1}}",
                "{\"spec\":{\"expirationSeconds\":99999999999999999999}}", "{\"maxResults\":\"x\"}"};
        String[] paths = {"/clusters", "/clusters/fuzz", "/clusters/fuzz/pod-identity-associations", "/clusters/fuzz/pod-identity-associations/a-x",
                "/clusters/nope", "/clusters/fuzz/assume-role-for-pod-identity", "/clusters/fuzz/api/v1/namespaces/default/serviceaccounts/a/token",
                "/clusters/fuzz/api/v1/namespaces/%2E%2E/serviceaccounts/%00/token", "/clusters/%25ZZ%2F", "/id/x/.well-known/openid-configuration",
                "/id/../../etc", "/openirsa/accounts", "/metrics", "/readyz", "/healthz", "/id//keys", "/clusters/" + "c".repeat(3000)};
        String[] methods = {"GET", "POST", "DELETE", "PUT", "PATCH"};
        String[] services = {"eks", "eks-auth", "sts", "organizations"};
        for (int i = 0; i < 400; i++) {
            String method = pick(methods);
            String path = pick(paths);
            String body = pick(bodies);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", random.nextBoolean() ? "application/json" : "text/plain");
            if (random.nextInt(4) == 0) {
                headers.put("Authorization", "Bearer k8s-aws-v1." + headerSafe(value()));
            }
            send(method, path, random.nextInt(4) == 0 ? "maxResults=" + SigV4.encode(value()) : "", body, pick(services), headers,
                    random.nextBoolean() && !headers.containsKey("Authorization"));
        }
        for (int i = 0; i < 200; i++) {
            Map<String, String> headers = Map.of("Content-Type", "application/x-amz-json-1.1",
                    "X-Amz-Target", random.nextBoolean() ? "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
                            : "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." + headerSafe(value()));
            send("POST", "/", "", pick(bodies), "cloudtrail", headers, random.nextInt(4) > 0);
        }
    }
}
