package io.openirsa.signer;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.openirsa.signer.v1alpha1.ExternalJWTSignerGrpc;
import io.openirsa.signer.v1alpha1.FetchKeysRequest;
import io.openirsa.signer.v1alpha1.FetchKeysResponse;
import io.openirsa.signer.v1alpha1.Key;
import io.openirsa.signer.v1alpha1.MetadataRequest;
import io.openirsa.signer.v1alpha1.MetadataResponse;
import io.openirsa.signer.v1alpha1.SignJWTRequest;
import io.openirsa.signer.v1alpha1.SignJWTResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * Kubernetes' ExternalJWTSigner (KEP-740) for one cluster, answered from OpenIRSA: kube-apiserver
 * asks it to sign each service-account token, for the keys that verify them, and once for the
 * longest lifetime. A refusal is INVALID_ARGUMENT (bad claims) or PERMISSION_DENIED; OpenIRSA out of
 * reach is UNAVAILABLE, which kube-apiserver reports as a failed token request.
 */
final class ExternalJwtSigner extends ExternalJWTSignerGrpc.ExternalJWTSignerImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ExternalJwtSigner.class);
    /** How often kube-apiserver should fetch the keys again: a key is published an hour before it signs. */
    static final Duration REFRESH_HINT = Duration.ofMinutes(1);

    private final SigningBackend backend;
    private final Clock clock;

    ExternalJwtSigner(SigningBackend backend, Clock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    @Override
    public void sign(SignJWTRequest request, StreamObserver<SignJWTResponse> answer) {
        if (request.getClaims().isEmpty()) {
            answer.onError(Status.INVALID_ARGUMENT.withDescription("claims is empty").asRuntimeException());
            return;
        }
        try {
            SigningBackend.Signature s = backend.sign(request.getClaims());
            answer.onNext(SignJWTResponse.newBuilder().setHeader(s.header()).setSignature(s.signature()).build());
            answer.onCompleted();
        } catch (Exception e) {
            answer.onError(status(e, "Sign").asRuntimeException());
        }
    }

    @Override
    public void fetchKeys(FetchKeysRequest request, StreamObserver<FetchKeysResponse> answer) {
        try {
            FetchKeysResponse.Builder out = FetchKeysResponse.newBuilder();
            for (SigningBackend.VerificationKey k : backend.keys()) {
                out.addKeys(Key.newBuilder().setKeyId(k.keyId()).setKey(ByteString.copyFrom(k.key().getEncoded())));
            }
            var now = clock.instant();
            out.setDataTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
            out.setRefreshHintSeconds(REFRESH_HINT.toSeconds());
            answer.onNext(out.build());
            answer.onCompleted();
        } catch (Exception e) {
            answer.onError(status(e, "FetchKeys").asRuntimeException());
        }
    }

    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> answer) {
        try {
            answer.onNext(MetadataResponse.newBuilder().setMaxTokenExpirationSeconds(backend.maxTokenSeconds()).build());
            answer.onCompleted();
        } catch (Exception e) {
            answer.onError(status(e, "Metadata").asRuntimeException());
        }
    }

    private static Status status(Exception e, String call) {
        if (e instanceof SigningBackend.Refused r) {
            LOG.warn("{} refused by OpenIRSA ({}): {}", call, r.status(), r.getMessage());
            // A 5xx or a throttle is OpenIRSA unable to answer now (its database, its audit commit), not bad claims.
            Status status = r.status() == 401 || r.status() == 403 ? Status.PERMISSION_DENIED
                    : r.status() >= 500 || r.status() == 429 ? Status.UNAVAILABLE : Status.INVALID_ARGUMENT;
            return status.withDescription(r.getMessage());
        }
        LOG.warn("{} failed: OpenIRSA could not be reached ({})", call, e.toString());
        return Status.UNAVAILABLE.withDescription("OpenIRSA could not be reached: " + e.getMessage());
    }
}
