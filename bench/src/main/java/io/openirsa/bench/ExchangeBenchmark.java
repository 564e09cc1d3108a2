package io.openirsa.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.openirsa.core.Authenticator;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Settings;
import io.openirsa.core.sts.AssumeRoleWithWebIdentityRequest;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.core.sts.SessionClaims;
import io.openirsa.core.sts.SessionTokens;
import io.openirsa.core.sts.WebIdentitySession;
import io.openirsa.core.sts.WebIdentityVerifier;
import io.openirsa.server.WireRequest;
import io.openirsa.server.query.Xml;
import io.openirsa.server.sigv4.SigV4;
import io.openirsa.server.sigv4.SigV4Verifier;
import io.openirsa.store.JdbcStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The steps of one AssumeRoleWithWebIdentity and of the signed call that follows it, each alone, in
 * process (no HTTP, no audit write): the whole exchange in the domain, the token check (parse and
 * RSA signature), sealing and opening the session token, SigV4 verification of a GetCallerIdentity
 * signed with session credentials, and writing the XML answer. The issuer is a loopback HTTP server
 * publishing one RSA-2048 key, as a cluster's issuer does.
 *
 * <p>"new token" cycles through more tokens than the verifier remembers as verified (so the RSA
 * check runs, as for a pod that just started); "repeated token" sends one token again and again
 * (an SDK refreshing, or a script's every {@code aws} command).
 *
 * <p>Run: {@code ./mvnw -q -DskipTests package -pl bench -am && java -jar bench/target/benchmarks.jar ExchangeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExchangeBenchmark {
    static final String ACCOUNT = Settings.DEFAULT_ACCOUNT;
    /** More than WebIdentityVerifier remembers (10,000), so cycling through them misses its cache. */
    static final int NEW_TOKENS = 11_000;

    HttpServer issuer;
    JdbcStore store;
    OpenIrsa domain;
    WebIdentityVerifier verifier;
    SessionTokens sessionTokens;
    SigV4Verifier sigv4;
    String roleArn;
    String[] tokens;
    int next;
    SessionClaims claims;
    String sealed;
    WireRequest signedCall;
    WebIdentitySession session;

    @Setup
    public void setUp() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").generate();
        issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String url = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/issuer";
        issuer.createContext("/issuer/.well-known/openid-configuration", ex -> respond(ex, "{\"issuer\":\"" + url + "\",\"jwks_uri\":\"" + url
                + "/keys\",\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        issuer.createContext("/issuer/keys", ex -> respond(ex, new JWKSet(key.toPublicJWK()).toString()));
        issuer.start();

        store = JdbcStore.sqlite(Files.createTempDirectory("openirsa-bench-exchange"));
        // The issuer is on loopback: fetched only with private issuers allowed, as `irsa serve --allow-private-issuers`.
        Settings settings = new Settings("http://127.0.0.1:1", Settings.DEFAULT_REGION, 86_400, 2048, Settings.DEFAULT_STALE_IF_ERROR,
                Settings.DEFAULT_KEY_ROTATION, Clock.systemUTC(), true, null);
        domain = new OpenIrsa(store, settings);
        domain.bootstrap(ACCOUNT);
        Caller root = Caller.root(ACCOUNT);
        String host = url.substring("http://".length());
        String provider = domain.iam().createOpenIdConnectProvider(root, url, List.of("sts.amazonaws.com"), List.of(), Map.of());
        roleArn = domain.iam().createRole(root, "app", "/", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Federated\":\"" + provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\""
                + host + ":sub\":\"system:serviceaccount:default:app\",\"" + host + ":aud\":\"sts.amazonaws.com\"}}}]}", null, null, Map.of()).arn();
        verifier = new WebIdentityVerifier(store, domain.jwks(), Clock.systemUTC());
        sessionTokens = SessionTokens.load(store, KeyEncryption.NONE, Instant.now(), SessionTokens.rotationPolicy(Duration.ofDays(7)));

        RSASSASigner signer = new RSASSASigner(key);
        tokens = IntStream.range(0, NEW_TOKENS).parallel().mapToObj(i -> token(signer, key, url, i)).toArray(String[]::new);

        session = exchange(tokens[0]);
        claims = sessionTokens.open(session.credentials().sessionToken()).orElseThrow();
        sealed = sessionTokens.seal(claims);
        Authenticator.Credential credential = new Authenticator.Credential(Caller.of(claims), claims.secretAccessKey());
        sigv4 = new SigV4Verifier((accessKeyId, sessionToken) -> credential, Clock.systemUTC(), "us-east-1");
        byte[] body = "Action=GetCallerIdentity&Version=2011-06-15".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(Map.of("Host", "127.0.0.1:8080",
                "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
        headers.putAll(SigV4.sign("POST", "/", "", headers, body, claims.accessKeyId(), claims.secretAccessKey(),
                session.credentials().sessionToken(), "us-east-1", "sts", Instant.now()));
        Map<String, List<String>> wire = new LinkedHashMap<>();
        headers.forEach((k, v) -> wire.put(k, List.of(v)));
        signedCall = new WireRequest("POST", "/", "", wire, body, "127.0.0.1", false);
        sigv4.verify(signedCall); // fails the run here if the request is not signed right
    }

    private static String token(RSASSASigner signer, RSAKey key, String issuer, int i) {
        Instant now = Instant.now();
        JWTClaimsSet c = new JWTClaimsSet.Builder().issuer(issuer).subject("system:serviceaccount:default:app")
                .audience(List.of("sts.amazonaws.com")).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofDays(1)))).jwtID(UUID.randomUUID().toString())
                .claim("kubernetes.io", Map.of("namespace", "default", "serviceaccount", Map.of("name", "app", "uid", "u-1"),
                        "pod", Map.of("name", "app-" + i, "uid", "p-" + i)))
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), c);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("Cache-Control", "max-age=86400");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private WebIdentitySession exchange(String token) {
        return domain.sts().assumeRoleWithWebIdentity(new AssumeRoleWithWebIdentityRequest(roleArn, "bench", token, null, null, List.of(),
                null, "127.0.0.1", false));
    }

    private String nextToken() {
        next = next + 1 == tokens.length ? 0 : next + 1;
        return tokens[next];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        domain.close();
        store.close();
        issuer.stop(0);
    }

    @Benchmark
    public WebIdentitySession exchangeNewToken() {
        return exchange(nextToken());
    }

    @Benchmark
    public WebIdentitySession exchangeRepeatedToken() {
        return exchange(tokens[0]);
    }

    @Benchmark
    public Object verifyNewToken() {
        return verifier.verify(nextToken(), ACCOUNT);
    }

    @Benchmark
    public Object verifyRepeatedToken() {
        return verifier.verify(tokens[0], ACCOUNT);
    }

    @Benchmark
    public String sealSessionToken() {
        return sessionTokens.seal(claims);
    }

    @Benchmark
    public Object openSessionToken() {
        return sessionTokens.open(sealed);
    }

    @Benchmark
    public Object verifySigV4() {
        return sigv4.verify(signedCall);
    }

    /** The answer to AssumeRoleWithWebIdentity, as the query protocol writes it. */
    @Benchmark
    public String writeXml() {
        var c = session.credentials();
        return new Xml().start("AssumeRoleWithWebIdentityResponse", "https://sts.amazonaws.com/doc/2011-06-15/")
                .start("AssumeRoleWithWebIdentityResult")
                .start("Credentials").el("AccessKeyId", c.accessKeyId()).el("SecretAccessKey", c.secretAccessKey())
                .el("SessionToken", c.sessionToken()).el("Expiration", c.expiration()).end()
                .el("SubjectFromWebIdentityToken", session.subject())
                .start("AssumedRoleUser").el("AssumedRoleId", session.assumedRoleId()).el("Arn", session.assumedRoleArn()).end()
                .el("Provider", session.provider()).el("Audience", session.audience())
                .end()
                .start("ResponseMetadata").el("RequestId", "c6104cbe-af31-11e0-8154-cbc7ccf896c7").end()
                .end().toString();
    }
}
