package io.openirsa.server.query;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.server.AuditedCall;
import io.openirsa.server.WireRequest;
import io.openirsa.server.WireResponse;
import io.openirsa.server.sigv4.SigV4Verifier;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The AWS query protocol (form in, XML out) for STS and IAM, on {@code POST /} and {@code GET /}.
 * The service is the SigV4 scope's, or, for an unsigned request, the one the Version names.
 */
public final class QueryApi {

    /** One operation: reads parameters, calls the domain, returns what goes in {@code <ActionResult>} (null: nothing). */
    @FunctionalInterface
    interface Operation {
        /** @param audit the call's audit record in the making: operations add what only they know */
        Consumer<Xml> call(Caller caller, QueryParams params, WireRequest request, ApiCall audit);
    }

    enum Service {
        STS("sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
        IAM("iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/");

        final String signingName;
        final String version;
        final String namespace;

        Service(String signingName, String version, String namespace) {
            this.signingName = signingName;
            this.version = version;
            this.namespace = namespace;
        }
    }

    private final SigV4Verifier verifier;
    private final OpenIrsa domain;
    private final Map<String, Operation> sts;
    private final Map<String, Operation> iam;

    public QueryApi(OpenIrsa domain, SigV4Verifier verifier) {
        this.verifier = verifier;
        this.domain = domain;
        this.sts = new StsOperations(domain).operations();
        this.iam = new IamOperations(domain).operations();
    }

    public WireResponse handle(WireRequest request, String requestId) {
        QueryParams params;
        try {
            String contentType = request.header("content-type");
            boolean form = contentType == null || contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
            if (!form) {
                throw new AwsException(AwsError.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + contentType + " is not supported: send application/x-www-form-urlencoded");
            }
            params = QueryParams.parse(new String(request.body(), StandardCharsets.UTF_8), request.rawQuery());
        } catch (AwsException e) {
            return error(e, Service.STS, requestId); // no call to record yet: not even a form
        }
        String action = params.get("Action");
        String version = params.get("Version");
        // The Version names the service until a signature's scope says otherwise; the refusal's envelope follows it.
        Service[] service = {Service.IAM.version.equals(version) ? Service.IAM : Service.STS};
        ApiCall audit = AuditedCall.start(domain, service[0].signingName, eventName(action), requestId, request, params);
        return AuditedCall.answer(domain, audit, () -> {
            SigV4Verifier.Verified verified = null;
            if (SigV4Verifier.isSigned(request) && !"AssumeRoleWithWebIdentity".equals(action)) {
                verified = verifier.verify(request);
                service[0] = verified.service().equals("iam") ? Service.IAM : Service.STS;
                audit.service(service[0].signingName).caller(verified.caller(), verified.accessKeyId());
                if (!verified.service().equals(service[0].signingName)) {
                    throw new AwsException(AwsError.SIGNATURE_DOES_NOT_MATCH, "Credential should be scoped to correct service: 'sts' or 'iam'.");
                }
            }
            if (action == null || action.isEmpty()) {
                throw new AwsException(AwsError.MISSING_ACTION, "Missing Action");
            }
            Operation op = (service[0] == Service.IAM ? iam : sts).get(action);
            if (op == null || (version != null && !version.equals(service[0].version))) {
                throw new AwsException(AwsError.INVALID_ACTION, "Could not find operation " + action + " for version " + (version == null ? "NO_VERSION_SPECIFIED" : version));
            }
            Caller caller = null;
            if (!"AssumeRoleWithWebIdentity".equals(action)) {
                if (verified == null) {
                    throw new AwsException(AwsError.MISSING_AUTHENTICATION_TOKEN, "Request is missing Authentication Token");
                }
                caller = verified.caller();
            }
            Consumer<Xml> result = op.call(caller, params, request, audit);
            if (service[0] == Service.IAM) {
                AuditedCall.iamResources(audit, params, caller.accountId());
            }
            Xml xml = new Xml().start(action + "Response", service[0].namespace);
            if (result != null) {
                xml.start(action + "Result");
                result.accept(xml);
                xml.end();
            }
            xml.start("ResponseMetadata").el("RequestId", requestId).end().end();
            return WireResponse.of(200, "text/xml", xml.toString());
        }, e -> {
            if (service[0] == Service.IAM && audit.recipient() != null) {
                AuditedCall.iamResources(audit, params, audit.recipient());
            }
            return error(e, service[0], requestId);
        });
    }

    /**
     * The action as the audit record and the metrics name it: one this server serves, else
     * "Unknown", so a caller's made-up actions cannot grow either without bound.
     */
    private String eventName(String action) {
        return action != null && (sts.containsKey(action) || iam.containsKey(action)) ? action : "Unknown";
    }

    /** The query protocol's error envelope. */
    public static WireResponse error(AwsException e, String namespaceOf, String requestId) {
        Service s = "iam".equals(namespaceOf) ? Service.IAM : Service.STS;
        return error(e, s, requestId);
    }

    private static WireResponse error(AwsException e, Service service, String requestId) {
        Xml xml = new Xml().start("ErrorResponse", service.namespace)
                .start("Error")
                .el("Type", e.senderFault() ? "Sender" : "Receiver")
                .el("Code", e.code())
                .el("Message", e.getMessage())
                .end()
                .el("RequestId", requestId)
                .end();
        return WireResponse.of(e.status(), "text/xml", xml.toString());
    }
}
