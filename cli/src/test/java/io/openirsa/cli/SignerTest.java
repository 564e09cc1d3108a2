package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.openirsa.signer.SignerSocket;
import io.openirsa.signer.v1alpha1.ExternalJWTSignerGrpc;
import io.openirsa.signer.v1alpha1.FetchKeysRequest;
import io.openirsa.signer.v1alpha1.FetchKeysResponse;
import io.openirsa.signer.v1alpha1.Key;
import io.openirsa.signer.v1alpha1.MetadataRequest;
import io.openirsa.signer.v1alpha1.SignJWTRequest;
import io.openirsa.signer.v1alpha1.SignJWTResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code irsa signer} driven as kube-apiserver drives it: a gRPC client generated from the same
 * upstream ExternalJWTSigner .proto, over the Unix socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Fixture f;
    String issuer;
    Path socket;
    SignerSocket signer;
    EpollEventLoopGroup loop;
    ManagedChannel channel;
    ExternalJWTSignerGrpc.ExternalJWTSignerBlockingStub stub;

    @BeforeAll
    void start() throws Exception {
        f = new Fixture();
        issuer = f.createCluster("signed");
        socket = Files.createTempDirectory("signer").resolve("signer.sock");
        signer = SignerSocket.start(socket, new RemoteSigningBackend(admin(f.server.endpoint(), f.server.adminKey().secretAccessKey()), "signed"),
                Clock.systemUTC());
        loop = new EpollEventLoopGroup(1);
        channel = client(socket);
        stub = ExternalJWTSignerGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void stop() {
        channel.shutdownNow();
        loop.shutdownGracefully();
        signer.close();
        f.close();
    }

    RemoteServer admin(String endpoint, String secret) {
        return new RemoteServer(endpoint, f.server.adminKey().accessKeyId(), secret, null, "us-east-1");
    }

    ManagedChannel client(Path path) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(path.toString())).channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(loop).usePlaintext().build();
    }

    /** A claim set as kube-apiserver makes one for a pod's projected token. */
    String claims(String iss, long lifetime) throws Exception {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("aud", List.of("sts.amazonaws.com"));
        c.put("exp", now + lifetime);
        c.put("iat", now);
        c.put("iss", iss);
        c.put("jti", UUID.randomUUID().toString());
        c.put("kubernetes.io", Map.of("namespace", "default", "node", Map.of("name", "node-1", "uid", UUID.randomUUID().toString()),
                "pod", Map.of("name", "app-0", "uid", UUID.randomUUID().toString()),
                "serviceaccount", Map.of("name", "app", "uid", UUID.randomUUID().toString())));
        c.put("nbf", now);
        c.put("sub", "system:serviceaccount:default:app");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(c));
    }

    @Test
    void sign_givesAHeaderAndSignature_thatVerifyWithFetchKeysAndThePublishedJwks_andExchangeAtSts() throws Exception {
        String claims = claims(issuer, 3600);
        SignJWTResponse signed = stub.sign(SignJWTRequest.newBuilder().setClaims(claims).build());
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(signed.getHeader()));
        assertThat(header.properties()).extracting(Map.Entry::getKey).as("only alg, kid, typ").containsExactlyInAnyOrder("alg", "kid", "typ");
        assertThat(header.path("typ").asText()).isEqualTo("JWT");
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        String token = signed.getHeader() + "." + claims + "." + signed.getSignature();
        SignedJWT jwt = SignedJWT.parse(token);

        FetchKeysResponse keys = stub.fetchKeys(FetchKeysRequest.getDefaultInstance());
        assertThat(keys.getRefreshHintSeconds()).isPositive();
        assertThat(keys.getDataTimestamp().getSeconds()).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        Key key = keys.getKeysList().stream().filter(k -> k.getKeyId().equals(header.path("kid").asText())).findFirst().orElseThrow();
        RSAPublicKey pkix = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(key.getKey().toByteArray()));
        assertThat(jwt.verify(new RSASSAVerifier(pkix))).as("verifies with FetchKeys' key").isTrue();

        String published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(issuer + "/keys")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        RSAKey jwk = JWKSet.parse(published).getKeyByKeyId(header.path("kid").asText()).toRSAKey();
        assertThat(jwt.verify(new RSASSAVerifier(jwk))).as("verifies with the cluster's published JWKS").isTrue();

        String provider = f.registerProvider(issuer);
        String role = f.iam.createRole(b -> b.roleName("signed-app").assumeRolePolicyDocument(
                Fixture.trustPolicy(provider, issuer, "default", "app"))).role().arn();
        var assumed = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("signed").webIdentityToken(token));
        assertThat(assumed.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:default:app");
    }

    String kid(SignJWTResponse signed) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(signed.getHeader())).path("kid").asText();
    }

    List<String> fetchedKids() {
        return stub.fetchKeys(FetchKeysRequest.getDefaultInstance()).getKeysList().stream().map(Key::getKeyId).toList();
    }

    /**
     * Rotation in the middle of a stream of signings: the next key is handed out by FetchKeys before Sign
     * uses it, and every token signed before and after still verifies. The pending key's publication is
     * dated back an hour in the store, which is what waiting that hour would do (SigV4 forbids moving the
     * server's clock under a live client).
     */
    @Test
    void rotationDuringAStreamOfSignings_breaksNoToken() throws Exception {
        String other = f.createCluster("rotating-signer");
        var cluster = f.server.domain().issuers().clusterById(other.substring(other.lastIndexOf('/') + 1)).orElseThrow();
        Path path = socket.resolveSibling("rotating.sock");
        try (SignerSocket s = SignerSocket.start(path, new RemoteSigningBackend(admin(f.server.endpoint(), f.server.adminKey().secretAccessKey()),
                "rotating-signer"), Clock.systemUTC())) {
            ManagedChannel c = client(path);
            var rotating = ExternalJWTSignerGrpc.newBlockingStub(c);
            List<String> tokens = new java.util.ArrayList<>();
            java.util.function.Supplier<String> signOne = () -> {
                try {
                    String claims = claims(other, 3600);
                    SignJWTResponse r = rotating.sign(SignJWTRequest.newBuilder().setClaims(claims).build());
                    return r.getHeader() + "." + claims + "." + r.getSignature();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (int i = 0; i < 10; i++) {
                tokens.add(signOne.get());
            }
            String k0 = SignedJWT.parse(tokens.getFirst()).getHeader().getKeyID();

            f.server.domain().issuers().rotate(cluster.id(), true); // a pending key: published, not signing
            List<String> published = rotating.fetchKeys(FetchKeysRequest.getDefaultInstance()).getKeysList().stream().map(Key::getKeyId).toList();
            assertThat(published).hasSize(2).contains(k0);
            String k1 = published.stream().filter(k -> !k.equals(k0)).findFirst().orElseThrow();
            for (int i = 0; i < 10; i++) {
                tokens.add(signOne.get());
            }
            assertThat(SignedJWT.parse(tokens.getLast()).getHeader().getKeyID()).as("the pending key does not sign yet").isEqualTo(k0);

            var pending = f.server.domain().issuers().storedKeys(cluster.id()).stream().filter(k -> k.keyId().equals(k1)).findFirst().orElseThrow();
            try (var store = io.openirsa.store.JdbcStore.open(null, f.data)) { // as `irsa keys` opens it beside a running server
                store.updateKeyStatus(cluster.id(), k1, pending.status(), pending.changedAt().minus(java.time.Duration.ofMinutes(61)));
            }
            f.server.catchUp();
            f.server.domain().issuers().rotate(cluster.id(), false); // published an hour: it signs now, the old key retires
            for (int i = 0; i < 10; i++) {
                tokens.add(signOne.get());
            }
            assertThat(SignedJWT.parse(tokens.getLast()).getHeader().getKeyID()).isEqualTo(k1);

            List<Key> keys = rotating.fetchKeys(FetchKeysRequest.getDefaultInstance()).getKeysList();
            assertThat(keys).extracting(Key::getKeyId).as("the retired key stays until its tokens expire").contains(k0, k1);
            String provider = f.registerProvider(other);
            String role = f.iam.createRole(b -> b.roleName("rotating-signer").assumeRolePolicyDocument(
                    Fixture.trustPolicy(provider, other, "default", "app"))).role().arn();
            for (String token : tokens) {
                SignedJWT jwt = SignedJWT.parse(token);
                Key key = keys.stream().filter(k -> k.getKeyId().equals(jwt.getHeader().getKeyID())).findFirst().orElseThrow();
                RSAPublicKey pkix = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(key.getKey().toByteArray()));
                assertThat(jwt.verify(new RSASSAVerifier(pkix))).isTrue();
                f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("rot").webIdentityToken(token));
            }
            c.shutdownNow();
        }
    }

    /**
     * A cluster whose issuer lives on a static host: `irsa issuer export` writes the folder, a plain
     * static file server (the JDK's) serves it, OpenIRSA registers it as an external provider, and a
     * token from the signer exchanges through it. A rotation shows in the next export.
     */
    @Test
    void anExportedIssuer_onAStaticHost_verifiesTheSignersTokens() throws Exception {
        Path site = Files.createTempDirectory("static-issuer");
        // The files as a bucket serves them (the JDK's SimpleFileServer hides `.well-known`): path to file, nothing else.
        var files = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        files.createContext("/", ex -> {
            Path file = site.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            byte[] body = file.startsWith(site) && Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        files.start();
        try {
            String published = "http://127.0.0.1:" + files.getAddress().getPort() + "/bucket/exported";
            RemoteServer admin = admin(f.server.endpoint(), f.server.adminKey().secretAccessKey());
            JsonNode created = admin.call("POST", "eks", "/clusters", null, Map.of("name", "exported", "oidcIssuer", published)).path("cluster");
            assertThat(created.path("identity").path("oidc").path("issuer").asText()).isEqualTo(published);

            Path folder = site.resolve("bucket").resolve("exported");
            IssuerCommand.export(admin, "exported", folder);
            JsonNode discovery = JSON.readTree(folder.resolve(".well-known/openid-configuration").toFile());
            assertThat(discovery.path("issuer").asText()).isEqualTo(published);
            assertThat(discovery.path("jwks_uri").asText()).isEqualTo(published + "/keys.json");
            assertThat(JWKSet.parse(Files.readString(folder.resolve("keys.json"))).getKeys()).hasSize(1).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());

            String provider = f.registerProvider(published);
            String role = f.iam.createRole(b -> b.roleName("exported-app").assumeRolePolicyDocument(
                    Fixture.trustPolicy(provider, published, "default", "app"))).role().arn();
            Path path = socket.resolveSibling("exported.sock");
            try (SignerSocket s = SignerSocket.start(path, new RemoteSigningBackend(admin, "exported"), Clock.systemUTC())) {
                ManagedChannel c = client(path);
                String claims = claims(published, 3600);
                SignJWTResponse r = ExternalJWTSignerGrpc.newBlockingStub(c).sign(SignJWTRequest.newBuilder().setClaims(claims).build());
                String token = r.getHeader() + "." + claims + "." + r.getSignature();
                var assumed = f.anonymousSts.assumeRoleWithWebIdentity(b -> b.roleArn(role).roleSessionName("exported").webIdentityToken(token));
                assertThat(assumed.provider()).isEqualTo(provider);
                c.shutdownNow();
            }

            var cluster = f.server.domain().eks().describeCluster(io.openirsa.core.Caller.root("123456789012"), "exported");
            f.server.domain().issuers().rotate(cluster.id(), true);
            IssuerCommand.export(admin, "exported", folder);
            assertThat(JWKSet.parse(Files.readString(folder.resolve("keys.json"))).getKeys()).as("the next key, published before it signs").hasSize(2);
        } finally {
            files.stop(0);
        }
    }

    /** A signer stopped while a Sign is in flight: that call fails, and a signer started again on the same path serves the same client. */
    @Test
    void aSignerRestartedMidRequest_failsThatCall_andServesTheNext() throws Exception {
        Path path = socket.resolveSibling("restarted.sock");
        var held = new java.util.concurrent.CountDownLatch(1);
        var entered = new java.util.concurrent.CountDownLatch(1);
        io.openirsa.signer.SigningBackend slow = new io.openirsa.signer.SigningBackend() {
            @Override
            public Signature sign(String claims) throws Exception {
                entered.countDown();
                held.await();
                throw new java.io.IOException("stopped");
            }

            @Override
            public List<VerificationKey> keys() {
                return List.of();
            }

            @Override
            public long maxTokenSeconds() {
                return 600;
            }
        };
        SignerSocket first = SignerSocket.start(path, slow, Clock.systemUTC());
        ManagedChannel c = client(path);
        SignJWTRequest inFlight = SignJWTRequest.newBuilder().setClaims(claims(issuer, 600)).build();
        var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> ExternalJWTSignerGrpc.newBlockingStub(c)
                .withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS).sign(inFlight));
        assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(6000); // past close's 5 s grace: the call is cut off, not answered
            } catch (InterruptedException ignored) {
            }
            held.countDown();
        });
        first.close();
        var failed = catchThrowableOfType(java.util.concurrent.CompletionException.class, call::join);
        assertThat(failed.getCause()).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) failed.getCause()).getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);

        try (SignerSocket again = SignerSocket.start(path, new RemoteSigningBackend(admin(f.server.endpoint(), f.server.adminKey().secretAccessKey()),
                "signed"), Clock.systemUTC())) {
            SignJWTResponse r = ExternalJWTSignerGrpc.newBlockingStub(c).withWaitForReady().withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS)
                    .sign(SignJWTRequest.newBuilder().setClaims(claims(issuer, 600)).build());
            assertThat(r.getSignature()).isNotEmpty();
        }
        c.shutdownNow();
    }

    @Test
    void metadata_isTheServersLongestLifetime() {
        assertThat(stub.metadata(MetadataRequest.getDefaultInstance()).getMaxTokenExpirationSeconds()).isEqualTo(7 * 86400L);
    }

    @Test
    void signing_isAudited_withoutTheSignature() throws Exception {
        String claims = claims(issuer, 600);
        SignJWTResponse signed = stub.sign(SignJWTRequest.newBuilder().setClaims(claims).build());
        try (var trail = f.cloudTrail()) {
            var events = trail.lookupEvents(b -> b.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("SignServiceAccountToken"))).events();
            assertThat(events).extracting(e -> e.cloudTrailEvent()).anySatisfy(e -> assertThat(e)
                    .contains("\"subject\":\"system:serviceaccount:default:app\"").contains("\"clusterName\":\"signed\""));
            assertThat(events).extracting(e -> e.cloudTrailEvent()).noneSatisfy(e -> assertThat(e).contains(signed.getSignature()));
        }
    }

    @Test
    void theSignersCredentials_needSignServiceAccountTokensOnly_andNothingElseGrantsIt() throws Exception {
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"openirsa:SignServiceAccountTokens\","
                + "\"Resource\":\"arn:aws:eks:us-east-1:123456789012:cluster/signed\"}]}";
        f.iam.createRole(b -> b.roleName("signer").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}"));
        f.iam.putRolePolicy(b -> b.roleName("signer").policyName("sign").policyDocument(policy));
        var c = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::123456789012:role/signer").roleSessionName("signer")).credentials();
        RemoteServer narrow = new RemoteServer(f.server.endpoint(), c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), "us-east-1");
        var readOnly = catchThrowableOfType(RemoteServer.Refused.class, () -> narrow.call("GET", "eks", "/clusters/signed", null, null));
        assertThat(readOnly.status).as("the signer's role can do nothing else").isEqualTo(403);
        RemoteSigningBackend onlyThis = new RemoteSigningBackend(narrow, "signed");
        assertThat(onlyThis.sign(claims(issuer, 600)).signature()).isNotEmpty();
        assertThat(onlyThis.keys()).isNotEmpty();
        assertThat(onlyThis.maxTokenSeconds()).isPositive();
        for (String managed : List.of("ReadOnlyAccess", "job-function/ViewOnlyAccess", "AmazonEKSClusterPolicy")) {
            String name = "reader-" + managed.replaceAll("[^A-Za-z]", "");
            f.iam.createRole(b -> b.roleName(name).assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}"));
            f.iam.attachRolePolicy(b -> b.roleName(name).policyArn("arn:aws:iam::aws:policy/" + managed));
            var r = f.sts.assumeRole(b -> b.roleArn("arn:aws:iam::123456789012:role/" + name).roleSessionName("reader")).credentials();
            var refused = catchThrowableOfType(io.openirsa.signer.SigningBackend.Refused.class, () -> new RemoteSigningBackend(
                    new RemoteServer(f.server.endpoint(), r.accessKeyId(), r.secretAccessKey(), r.sessionToken(), "us-east-1"), "signed")
                    .sign(claims(issuer, 600)));
            assertThat(refused).as(managed + " must not sign tokens").isNotNull();
            assertThat(refused.status()).isEqualTo(403);
        }
        var otherCluster = catchThrowableOfType(io.openirsa.signer.SigningBackend.Refused.class,
                () -> new RemoteSigningBackend(narrow, "other").sign(claims(issuer, 600)));
        assertThat(otherCluster.status()).isEqualTo(403);
    }

    @Test
    void badClaims_areInvalidArgument() throws Exception {
        for (String bad : List.of(claims("https://another.example.com/id/X", 3600), claims(issuer, 30L * 86400), claims(issuer, -60),
                "bm90IGpzb24", "!!!", Base64.getUrlEncoder().withoutPadding().encodeToString("{\"iss\":\"x\"}".getBytes(StandardCharsets.UTF_8)), "")) {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> stub.sign(SignJWTRequest.newBuilder().setClaims(bad).build()));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.getStatus().getCode()).as(bad).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void aCallerOpenIrsaRefuses_isPermissionDenied_andOpenIrsaOutOfReach_isUnavailable() throws Exception {
        Path wrong = socket.resolveSibling("wrong.sock");
        try (SignerSocket s = SignerSocket.start(wrong, new RemoteSigningBackend(admin(f.server.endpoint(), "not-the-secret"), "signed"), Clock.systemUTC())) {
            ManagedChannel c = client(wrong);
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ExternalJWTSignerGrpc.newBlockingStub(c).sign(SignJWTRequest.newBuilder().setClaims(claims(issuer, 600)).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            c.shutdownNow();
        }
        // OpenIRSA answering 503 (its database away, or a record it cannot commit) is UNAVAILABLE too, not bad claims.
        var unavailable = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        unavailable.createContext("/", ex -> {
            byte[] b = "{\"message\":\"Service is unable to handle request.\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("x-amzn-ErrorType", "ServiceUnavailableException");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(503, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        unavailable.start();
        Path busy = socket.resolveSibling("busy.sock");
        try (SignerSocket s = SignerSocket.start(busy, new RemoteSigningBackend(admin("http://127.0.0.1:" + unavailable.getAddress().getPort(),
                f.server.adminKey().secretAccessKey()), "signed"), Clock.systemUTC())) {
            ManagedChannel c = client(busy);
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ExternalJWTSignerGrpc.newBlockingStub(c).sign(SignJWTRequest.newBuilder().setClaims(claims(issuer, 600)).build()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            c.shutdownNow();
        } finally {
            unavailable.stop(0);
        }
        Path gone = socket.resolveSibling("gone.sock");
        try (SignerSocket s = SignerSocket.start(gone, new RemoteSigningBackend(admin("http://127.0.0.1:9", f.server.adminKey().secretAccessKey()), "signed"),
                Clock.systemUTC())) {
            ManagedChannel c = client(gone);
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ExternalJWTSignerGrpc.newBlockingStub(c).fetchKeys(FetchKeysRequest.getDefaultInstance()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            c.shutdownNow();
        }
    }

    @Test
    void theSocket_isItsOwnersAlone_andAStoppedSignerIsUnavailable() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        Path other = socket.resolveSibling("stopped.sock");
        SignerSocket s = SignerSocket.start(other, new RemoteSigningBackend(admin(f.server.endpoint(), f.server.adminKey().secretAccessKey()), "signed"),
                Clock.systemUTC());
        s.close();
        assertThat(other).doesNotExist();
        ManagedChannel c = client(other);
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> ExternalJWTSignerGrpc.newBlockingStub(c).withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                        .metadata(MetadataRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        c.shutdownNow();
    }
}
