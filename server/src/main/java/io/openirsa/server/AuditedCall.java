package io.openirsa.server;

import io.openirsa.core.AwsException;
import io.openirsa.core.OpenIrsa;
import io.openirsa.core.audit.ApiCall;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.server.query.QueryParams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the audit record of a call from what the wire carried: CloudTrail's requestParameters
 * (lowerCamel names, lists gathered, secrets left out) and, for AssumeRoleWithWebIdentity, the role.
 */
public final class AuditedCall {
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/.+");
    private static final Pattern MEMBER = Pattern.compile("(\\w+)\\.member\\.(\\d{1,9})(?:\\.(\\w+))?"); // an int: a longer index is not a list member

    private AuditedCall() {
    }

    /** An audited call's work: its answer, or an AwsException for its refusal. */
    @FunctionalInterface
    public interface Work {
        WireResponse answer();
    }

    /**
     * What every audited API does with a call: runs it, answers a refusal in the API's own envelope,
     * and commits the call's record before either answer leaves. If the record cannot be committed,
     * AuditLog throws, and OpenIrsaServer answers 503 instead (fail closed).
     */
    public static WireResponse answer(OpenIrsa domain, ApiCall audit, Work work, Function<AwsException, WireResponse> refusal) {
        WireResponse response;
        try {
            response = work.answer();
        } catch (AwsException e) {
            audit.failed(e);
            response = refusal.apply(e);
        }
        domain.audit().record(audit);
        return response;
    }

    public static ApiCall start(OpenIrsa domain, String service, String action, String requestId, WireRequest request, QueryParams params) {
        ApiCall call = new ApiCall(service, action == null || action.isBlank() ? "Unknown" : action, requestId, domain.settings().clock().instant(),
                domain.settings().region(), request.sourceIp(), request.header("user-agent"));
        if (params != null) {
            parameters(params).forEach(call::parameter);
            if ("AssumeRoleWithWebIdentity".equals(action)) {
                webIdentity(call, params);
            }
        }
        return call;
    }

    /** CloudTrail's requestParameters from query parameters. The token and signature parameters are never recorded. */
    static Map<String, Object> parameters(QueryParams params) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, Object>> lists = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.all().entrySet()) {
            String k = e.getKey();
            if (k.equals("Action") || k.equals("Version") || k.equals("WebIdentityToken") || k.startsWith("X-Amz-")) {
                continue;
            }
            Matcher m = k.contains(".member.") ? MEMBER.matcher(k) : null; // most names are plain: no regex for them
            if (m != null && m.matches()) {
                TreeMap<Integer, Object> list = lists.computeIfAbsent(camel(m.group(1)), x -> new TreeMap<>());
                int i = Integer.parseInt(m.group(2));
                if (m.group(3) == null) {
                    list.put(i, e.getValue());
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> item = (Map<String, Object>) list.computeIfAbsent(i, x -> new LinkedHashMap<String, Object>());
                    item.put(camel(m.group(3)), e.getValue());
                }
            } else if (!k.contains(".")) {
                out.put(camel(k), numeric(k, e.getValue()));
            }
        }
        lists.forEach((k, v) -> out.put(k, new ArrayList<>(v.values())));
        return out;
    }

    private static Object numeric(String name, String value) {
        if (name.equals("DurationSeconds") || name.equals("MaxSessionDuration") || name.equals("MaxItems")) {
            try {
                return Integer.valueOf(value);
            } catch (NumberFormatException e) {
                return value;
            }
        }
        return value;
    }

    /** The role an exchange asks for. Who the token claims to be comes from the domain, which decodes it (AwsException.claimedBy). */
    private static void webIdentity(ApiCall call, QueryParams params) {
        String roleArn = params.get("RoleArn");
        Matcher role = roleArn == null ? null : ROLE_ARN.matcher(roleArn);
        if (role != null && role.matches()) {
            call.resource("AWS::IAM::Role", roleArn, role.group(1));
        }
    }

    /** The IAM resources a call names: a role, an OIDC provider. */
    public static void iamResources(ApiCall call, QueryParams params, String accountId) {
        String role = params.get("RoleName");
        if (role != null) {
            call.resource("AWS::IAM::Role", "arn:aws:iam::" + accountId + ":role/" + role, accountId);
        }
        String provider = params.get("OpenIDConnectProviderArn");
        if (provider == null && params.get("Url") != null) {
            provider = OidcProvider.arn(accountId, params.get("Url"));
        }
        if (provider != null) {
            call.resource("AWS::IAM::OIDCProvider", provider, accountId);
        }
    }

    static String camel(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
