package io.openirsa.server.sigv4;

import io.openirsa.core.Authenticator;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.server.WireRequest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * AWS's SigV4 test vectors (src/test/resources/aws-sigv4-testsuite, Apache-2.0, with their LICENSE
 * and NOTICE): for every case the canonical
 * request and string to sign match AWS's, the signed request verifies, and any change to it fails.
 */
class SigV4TestSuiteTest {
    static final String KEY = "AKIDEXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");

    static Path suite() {
        Path p = Path.of("src/test/resources/aws-sigv4-testsuite");
        assertThat(p).as("the SigV4 test suite must be present at %s", p.toAbsolutePath()).isDirectory();
        return p;
    }

    static List<Path> cases() throws IOException {
        try (Stream<Path> files = Files.walk(suite())) {
            return files.filter(f -> f.toString().endsWith(".sreq")).map(Path::getParent).sorted().toList();
        }
    }

    static SigV4Verifier verifier(Instant now) {
        return new SigV4Verifier((akid, token) -> {
            if (!akid.equals(KEY)) {
                throw new AwsException(AwsError.INVALID_CLIENT_TOKEN_ID, "The security token included in the request is invalid.");
            }
            return new Authenticator.Credential(Caller.root("123456789012"), SECRET);
        }, Clock.fixed(now, ZoneOffset.UTC), "us-east-1");
    }

    @Test
    void suite_hasAllCases() throws IOException {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(30);
    }

    @TestFactory
    Stream<DynamicTest> canonicalRequestAndStringToSign_matchAws() throws IOException {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            String name = dir.getFileName().toString();
            WireRequest req = parse(read(dir.resolve(name + ".sreq")));
            String authz = read(dir.resolve(name + ".authz")).trim();
            List<String> signed = Arrays.asList(authz.replaceAll(".*SignedHeaders=([^,]+),.*", "$1").split(";"));
            String creq = SigV4.canonicalRequest(req.method(), SigV4.canonicalUri(req.rawPath(), true), req.rawQuery(),
                    signed, req.headers(), SigV4.hex(SigV4.sha256(req.body())), false);
            assertThat(creq).isEqualTo(read(dir.resolve(name + ".creq")));
            String sts = SigV4.stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq);
            assertThat(sts).isEqualTo(read(dir.resolve(name + ".sts")));
            String sig = SigV4.signature(SECRET, "20150830", "us-east-1", "service", sts);
            assertThat(authz).endsWith("Signature=" + sig);
        }));
    }

    /**
     * The signed request with the Authorization header of the .authz file, which is AWS's expected
     * value: in get-vanilla-with-session-token the upstream .sreq carries a signature that does not
     * belong to the request (its .authz and .sts agree with each other and with us).
     */
    static WireRequest signed(Path dir) throws IOException {
        WireRequest r = parse(read(dir.resolve(dir.getFileName() + ".sreq")));
        Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
        h.put("authorization", List.of(read(dir.resolve(dir.getFileName() + ".authz")).trim()));
        return new WireRequest(r.method(), r.rawPath(), r.rawQuery(), h, r.body(), null, false);
    }

    @TestFactory
    Stream<DynamicTest> signedRequest_verifies() throws IOException {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            WireRequest req = signed(dir);
            SigV4Verifier.Verified v = verifier(SIGNED_AT).verify(req);
            assertThat(v.region()).isEqualTo("us-east-1");
            assertThat(v.service()).isEqualTo("service");
        }));
    }

    @TestFactory
    Stream<DynamicTest> alteredRequest_isRefused() throws IOException {
        return cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            WireRequest req = signed(dir);
            SigV4Verifier v = verifier(SIGNED_AT);
            for (WireRequest altered : alterations(req)) {
                assertThatThrownBy(() -> v.verify(altered)).isInstanceOf(AwsException.class)
                        .extracting(e -> ((AwsException) e).code()).isEqualTo("SignatureDoesNotMatch");
            }
        }));
    }

    @Test
    void signature_outsideFifteenMinutes_isExpired() throws IOException {
        WireRequest req = parse(read(suite().resolve("get-vanilla/get-vanilla.sreq")));
        verifier(SIGNED_AT.plus(Duration.ofMinutes(14))).verify(req);
        assertThatThrownBy(() -> verifier(SIGNED_AT.plus(Duration.ofMinutes(16))).verify(req))
                .hasMessageStartingWith("Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z");
        assertThatThrownBy(() -> verifier(SIGNED_AT.minus(Duration.ofMinutes(16))).verify(req))
                .hasMessageStartingWith("Signature not yet current");
    }

    @Test
    void unknownAccessKey_isInvalidClientTokenId() throws IOException {
        String text = read(suite().resolve("get-vanilla/get-vanilla.sreq")).replace("AKIDEXAMPLE", "AKIDOTHER00");
        assertThatThrownBy(() -> verifier(SIGNED_AT).verify(parse(text)))
                .extracting(e -> ((AwsException) e).code()).isEqualTo("InvalidClientTokenId");
    }

    @Test
    void malformedAuthorization_isIncompleteSignature() throws IOException {
        WireRequest good = parse(read(suite().resolve("get-vanilla/get-vanilla.sreq")));
        for (String auth : List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
                "AWS4-HMAC-SHA256 Credential=nonsense, SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64),
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=" + "0".repeat(64),
                "AWS4-HMAC-SHA256 ,,,====,,")) {
            Map<String, List<String>> h = new LinkedHashMap<>(good.headers());
            h.put("authorization", List.of(auth));
            WireRequest bad = new WireRequest(good.method(), good.rawPath(), good.rawQuery(), h, good.body(), null, false);
            assertThatThrownBy(() -> verifier(SIGNED_AT).verify(bad)).isInstanceOf(AwsException.class)
                    .extracting(e -> ((AwsException) e).code()).isEqualTo("IncompleteSignature");
        }
    }

    /** The same request with one signed part changed: method, path, query, a signed header, body, signature. */
    static List<WireRequest> alterations(WireRequest r) {
        List<WireRequest> out = new ArrayList<>();
        out.add(new WireRequest(r.method().equals("GET") ? "POST" : "GET", r.rawPath(), r.rawQuery(), r.headers(), r.body(), null, false));
        out.add(new WireRequest(r.method(), r.rawPath() + "x", r.rawQuery(), r.headers(), r.body(), null, false));
        out.add(new WireRequest(r.method(), r.rawPath(), r.rawQuery() + (r.rawQuery().isEmpty() ? "a=b" : "&a=b"), r.headers(), r.body(), null, false));
        out.add(new WireRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(), (new String(r.body(), StandardCharsets.UTF_8) + "x").getBytes(StandardCharsets.UTF_8), null, false));
        Map<String, List<String>> host = new LinkedHashMap<>(r.headers());
        host.put("host", List.of("example.amazonaws.org"));
        out.add(new WireRequest(r.method(), r.rawPath(), r.rawQuery(), host, r.body(), null, false));
        Map<String, List<String>> sig = new LinkedHashMap<>(r.headers());
        String auth = r.header("authorization");
        char last = auth.charAt(auth.length() - 1);
        sig.put("authorization", List.of(auth.substring(0, auth.length() - 1) + (last == '0' ? '1' : '0')));
        out.add(new WireRequest(r.method(), r.rawPath(), r.rawQuery(), sig, r.body(), null, false));
        return out;
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** Parses the suite's raw HTTP text; continuation lines (leading white space) belong to the previous header. */
    static WireRequest parse(String text) {
        String[] lines = text.split("\n", -1);
        String first = lines[0];
        String method = first.substring(0, first.indexOf(' '));
        String target = first.substring(first.indexOf(' ') + 1, first.lastIndexOf(" HTTP/"));
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String lastName = null;
        int i = 1;
        for (; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                i++;
                break;
            }
            if (Character.isWhitespace(line.charAt(0)) && lastName != null) {
                List<String> values = headers.get(lastName);
                values.set(values.size() - 1, values.get(values.size() - 1) + "\n" + line);
                continue;
            }
            int colon = line.indexOf(':');
            lastName = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(lastName, k -> new ArrayList<>()).add(line.substring(colon + 1).stripLeading());
        }
        String body = i < lines.length ? String.join("\n", Arrays.copyOfRange(lines, i, lines.length)) : "";
        return new WireRequest(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8), null, false);
    }
}
