package io.openirsa.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns JSON into a {@link Policy}, refusing what IAM refuses with IAM's messages. */
final class PolicyParser {
    static final String V2012 = "2012-10-17";
    static final String V2008 = "2008-10-17";
    private static final String SYNTAX = "Syntax errors in policy.";
    private static final Set<String> TOP_KEYS = Set.of("Version", "Id", "Statement");
    private static final Set<String> STATEMENT_KEYS = Set.of("Sid", "Effect", "Principal", "NotPrincipal",
            "Action", "NotAction", "Resource", "NotResource", "Condition");
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9]*");
    private static final Pattern ACTION = Pattern.compile("[a-zA-Z0-9\\-.*?]+:[^:]*");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern AWS_PRINCIPAL = Pattern.compile(
            "arn:aws[a-z-]*:(iam::\\d{12}:(root|user/.+|role/.+|federated-user/.+)|sts::\\d{12}:(assumed-role|federated-user)/.+)");
    private static final Pattern FEDERATED = Pattern.compile(
            "arn:aws[a-z-]*:iam::\\d{12}:(oidc-provider|saml-provider)/.+|[a-z0-9.-]+\\.[a-z]+|\\*");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9.-]+\\.[a-z0-9.]+|\\*");

    /** No policy grammar nests deeper than a handful of levels; past this the document is refused unread. */
    static final int MAX_DEPTH = 64;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final PolicyKind kind;

    PolicyParser(PolicyKind kind) {
        this.kind = kind;
    }

    Policy parse(String document) {
        for (int i = 0; i < document.length(); i++) {
            char c = document.charAt(i);
            if (c > 0xFF || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                throw new MalformedPolicyException(SYNTAX, "character " + i);
            }
        }
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            // Jackson's own limits (nesting deeper than MAX_DEPTH, say) come without a location.
            throw new MalformedPolicyException(SYNTAX, e.getLocation() == null ? "document" : "line " + e.getLocation().getLineNr());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedPolicyException(SYNTAX, "document");
        }
        checkKeys(root, TOP_KEYS, "document");
        String version = null;
        if (root.has("Version")) {
            JsonNode v = root.get("Version");
            if (!v.isTextual() || !(V2012.equals(v.asText()) || V2008.equals(v.asText()))) {
                throw new MalformedPolicyException(SYNTAX, "Version");
            }
            version = v.asText();
        }
        if (root.has("Id") && !root.get("Id").isTextual()) {
            throw new MalformedPolicyException(SYNTAX, "Id");
        }
        JsonNode statementNode = root.get("Statement");
        if (statementNode == null) {
            throw new MalformedPolicyException("Missing required field Statement", "Statement");
        }
        List<JsonNode> raw = new ArrayList<>();
        if (statementNode.isArray()) {
            statementNode.forEach(raw::add);
        } else {
            raw.add(statementNode);
        }
        if (raw.isEmpty()) {
            throw new MalformedPolicyException(SYNTAX, "Statement");
        }
        boolean variables = V2012.equals(version);
        List<Statement> statements = new ArrayList<>();
        Set<String> sids = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            Statement s = statement(raw.get(i), i, variables);
            if (s.sid() != null && !s.sid().isEmpty() && !sids.add(s.sid())) {
                throw new MalformedPolicyException("Statement IDs (SID) in a single policy must be unique.", "Statement[" + i + "].Sid");
            }
            statements.add(s);
        }
        List<Span> spans = StatementSpans.of(document);
        if (spans.size() == statements.size()) {
            for (int i = 0; i < statements.size(); i++) {
                Statement s = statements.get(i);
                statements.set(i, new Statement(s.index(), s.sid(), s.effect(), s.principal(), s.notPrincipal(), s.actions(), s.notAction(),
                        s.resources(), s.notResource(), s.conditions(), s.variables(), spans.get(i)));
            }
        }
        return new Policy(document, kind, version, statements);
    }

    private Statement statement(JsonNode node, int index, boolean variables) {
        String at = "Statement[" + index + "]";
        if (!node.isObject()) {
            throw new MalformedPolicyException(SYNTAX, at);
        }
        checkKeys(node, STATEMENT_KEYS, at);
        String sid = null;
        if (node.has("Sid")) {
            JsonNode s = node.get("Sid");
            if (!s.isTextual() || !SID.matcher(s.asText()).matches()) {
                throw new MalformedPolicyException("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", at + ".Sid");
            }
            sid = s.asText();
        }
        JsonNode effectNode = node.get("Effect");
        if (effectNode == null) {
            throw new MalformedPolicyException("Missing required field Effect", at + ".Effect");
        }
        Effect effect = switch (effectNode.isTextual() ? effectNode.asText() : "") {
            case "Allow" -> Effect.Allow;
            case "Deny" -> Effect.Deny;
            default -> throw new MalformedPolicyException("The policy failed legacy parsing", at + ".Effect");
        };

        boolean hasPrincipal = node.has("Principal");
        boolean hasNotPrincipal = node.has("NotPrincipal");
        if (hasPrincipal && hasNotPrincipal) {
            throw new MalformedPolicyException(SYNTAX, at + ".NotPrincipal");
        }
        Principals principal = null;
        if (kind == PolicyKind.TRUST) {
            if (hasNotPrincipal) {
                throw new MalformedPolicyException("Has prohibited field NotPrincipal", at + ".NotPrincipal");
            }
            if (!hasPrincipal) {
                throw new MalformedPolicyException("Missing required field Principal", at + ".Principal");
            }
            principal = principals(node.get("Principal"), at + ".Principal");
        } else if (hasPrincipal || hasNotPrincipal) {
            throw new MalformedPolicyException("Policy document should not specify a principal.", at + ".Principal");
        }

        boolean notAction = node.has("NotAction");
        if (notAction && node.has("Action")) {
            throw new MalformedPolicyException(SYNTAX, at + ".NotAction");
        }
        JsonNode actionNode = notAction ? node.get("NotAction") : node.get("Action");
        if (actionNode == null) {
            throw new MalformedPolicyException("Policy statement must contain actions.", at + ".Action");
        }
        List<Wildcard> actions = new ArrayList<>();
        for (String a : strings(actionNode, at + (notAction ? ".NotAction" : ".Action"))) {
            if (!a.equals("*")) {
                if (!a.contains(":")) {
                    throw new MalformedPolicyException("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", at + ".Action");
                }
                if (!ACTION.matcher(a).matches()) {
                    throw new MalformedPolicyException("Actions/Condition can contain only one colon.", at + ".Action");
                }
            }
            actions.add(Wildcard.compileIgnoreCase(a));
        }

        boolean notResource = node.has("NotResource");
        if (notResource && node.has("Resource")) {
            throw new MalformedPolicyException(SYNTAX, at + ".NotResource");
        }
        JsonNode resourceNode = notResource ? node.get("NotResource") : node.get("Resource");
        List<String> resources = null;
        if (kind == PolicyKind.TRUST && resourceNode != null) {
            throw new MalformedPolicyException("Has prohibited field " + (notResource ? "NotResource" : "Resource"), at + ".Resource");
        }
        if (kind == PolicyKind.IDENTITY) {
            if (resourceNode == null) {
                throw new MalformedPolicyException("Policy statement must contain resources.", at + ".Resource");
            }
            resources = strings(resourceNode, at + ".Resource");
            for (String r : resources) {
                if (!r.equals("*") && !r.startsWith("arn:")) {
                    throw new MalformedPolicyException("Resource " + r + " must be in ARN format or \"*\".", at + ".Resource");
                }
            }
        }

        List<Condition> conditions = node.has("Condition")
                ? conditions(node.get("Condition"), at + ".Condition", variables) : List.of();
        return new Statement(index, sid, effect, principal, false, actions, notAction, resources, notResource,
                conditions, variables, Span.UNKNOWN);
    }

    private Principals principals(JsonNode node, String at) {
        if (node.isTextual()) {
            if (node.asText().equals("*")) {
                return new Principals(true, Map.of());
            }
            throw new MalformedPolicyException("Invalid principal in policy: " + node, at);
        }
        if (!node.isObject() || node.isEmpty()) {
            throw new MalformedPolicyException(SYNTAX, at);
        }
        Map<PrincipalType, List<String>> values = new EnumMap<>(PrincipalType.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            PrincipalType type;
            try {
                type = PrincipalType.valueOf(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new MalformedPolicyException("Invalid principal in policy: \"" + e.getKey() + "\"", at);
            }
            List<String> ids = strings(e.getValue(), at + "." + e.getKey());
            for (String id : ids) {
                boolean ok = switch (type) {
                    // No partial wildcards: IAM refuses arn:aws:iam::ACCOUNT:role/* ("Invalid principal in policy").
                    case AWS -> id.equals("*") || ACCOUNT.matcher(id).matches() || (AWS_PRINCIPAL.matcher(id).matches() && id.indexOf('*') < 0);
                    case Federated -> FEDERATED.matcher(id).matches();
                    case Service -> SERVICE.matcher(id).matches();
                    case CanonicalUser -> !id.isEmpty();
                };
                if (!ok) {
                    throw new MalformedPolicyException("Invalid principal in policy: \"" + e.getKey() + "\":\"" + id + "\"", at);
                }
            }
            values.put(type, ids);
        }
        return new Principals(false, values);
    }

    private List<Condition> conditions(JsonNode node, String at, boolean variables) {
        if (!node.isObject()) {
            throw new MalformedPolicyException(SYNTAX, at);
        }
        List<Condition> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> ops = node.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            String name = op.getKey();
            String base = name;
            Condition.Qualifier qualifier = null;
            for (Condition.Qualifier q : Condition.Qualifier.values()) {
                if (base.startsWith(q.name() + ":")) {
                    qualifier = q;
                    base = base.substring(q.name().length() + 1);
                }
            }
            boolean ifExists = base.endsWith("IfExists");
            if (ifExists) {
                base = base.substring(0, base.length() - "IfExists".length());
            }
            ConditionOperator operator;
            try {
                operator = ConditionOperator.valueOf(base);
            } catch (IllegalArgumentException e) {
                throw new MalformedPolicyException("Invalid Condition type : " + name, at + "." + name);
            }
            if (operator == ConditionOperator.Null && ifExists) {
                throw new MalformedPolicyException("Invalid Condition type : " + name, at + "." + name);
            }
            if (!op.getValue().isObject() || op.getValue().isEmpty()) {
                throw new MalformedPolicyException(SYNTAX, at + "." + name);
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                String where = at + "." + name + "." + key.getKey();
                if (!key.getKey().contains(":")) {
                    throw new MalformedPolicyException("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", where);
                }
                List<String> values = strings(key.getValue(), where);
                out.add(new Condition(name, operator, qualifier, ifExists, key.getKey(), values, variables));
            }
        }
        return out;
    }

    /** A string, number or boolean, or a non-empty array of them: IAM accepts unquoted scalars. */
    private static List<String> strings(JsonNode node, String at) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw new MalformedPolicyException(SYNTAX, at);
            }
            for (JsonNode n : node) {
                out.add(scalar(n, at));
            }
        } else {
            out.add(scalar(node, at));
        }
        return out;
    }

    private static String scalar(JsonNode n, String at) {
        if (n.isTextual() || n.isNumber() || n.isBoolean()) {
            return n.asText();
        }
        throw new MalformedPolicyException(SYNTAX, at);
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String at) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new MalformedPolicyException(SYNTAX, at + "." + k);
            }
        }
    }

}
