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
