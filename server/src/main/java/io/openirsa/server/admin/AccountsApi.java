package io.openirsa.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.model.AccessKey;
import io.openirsa.server.AuditedCall;
import io.openirsa.server.Json;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.eks.EksApi;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenIRSA's own administration (no AWS API has it): {@code POST /openirsa/v1/accounts} creates an
 * account and its first administrator key. SigV4-signed for the service name {@code openirsa} by the
 * root of the server's own account.
 */
public final class AccountsApi {
    public static final String PATH = "/openirsa/v1/accounts";
    public static final String SIGNING_NAME = "openirsa";

    private final OpenIrsa domain;
    private final SigV4Verifier verifier;

    public AccountsApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    public WireResponse handle(WireRequest request, String requestId) {
        ApiCall audit = AuditedCall.start(domain, "organizations", "CreateAccount", requestId, request, null);
        return AuditedCall.answer(domain, audit, () -> {
            if (!request.method().equals("POST")) {
                throw new AwsException(AwsError.UNKNOWN_OPERATION_EXCEPTION, "POST " + PATH + " creates an account");
            }
            if (!SigV4Verifier.isSigned(request)) {
                throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN_EXCEPTION, "Missing Authentication Token");
            }
            SigV4Verifier.Verified v = verifier.verify(request);
            audit.caller(v.caller(), v.accessKeyId());
            if (!v.service().equals(SIGNING_NAME)) {
                throw new AwsException(AwsError.INVALID_SIGNATURE_EXCEPTION, "Credential should be scoped to correct service: '" + SIGNING_NAME + "'.");
            }
            JsonNode body = Json.readObject(request.body(), AwsError.INVALID_INPUT);
            String accountId = Json.text(body, "accountId", AwsError.INVALID_INPUT);
            audit.parameter("accountId", accountId);
            AccessKey key = domain.createAccount(v.caller(), accountId);
            audit.responseElements(Json.object("accountId", key.accountId(), "accessKeyId", key.accessKeyId()));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("accountId", key.accountId());
            out.put("accessKeyId", key.accessKeyId());
            out.put("secretAccessKey", key.secretAccessKey());
            return WireResponse.of(201, "application/json", Json.write(out));
        }, e -> EksApi.error(e));
    }
}
