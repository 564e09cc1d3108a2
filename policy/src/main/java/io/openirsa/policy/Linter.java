package io.openirsa.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds trust-policy mistakes that IAM accepts silently: roles any service account (or any
 * provider) can assume, conditions that can never match or can be bypassed, and documents near the
 * size quota. Only Allow statements are examined for over-broad grants; a Deny never grants.
 */
public final class Linter {
    private static final Pattern OIDC_PROVIDER = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/(.+)");
    /** Regular-expression syntax that IAM's StringLike takes literally. */
    private static final Pattern REGEX_SYNTAX = Pattern.compile("\\(.*\\|.*\\)|\\[[^\\]]*\\]|\\.\\*|\\\\[dws.]|^\\^|\\$$|\\.\\+|\\{\\d+(,\\d*)?\\}");
    private static final Set<String> RESTRICTING_AWS_KEYS = Set.of("aws:principalorgid", "aws:principalaccount", "aws:principalarn",
            "aws:sourceaccount", "aws:sourcearn", "sts:externalid", "aws:principalorgpaths");
    private static final Set<ConditionOperator> EQUALS_OPERATORS = Set.of(ConditionOperator.StringEquals,
            ConditionOperator.StringEqualsIgnoreCase, ConditionOperator.StringNotEquals, ConditionOperator.StringNotEqualsIgnoreCase);

    private final int sizeLimit;

    /** @param sizeLimit the trust policy quota (characters, whitespace excluded): 2048 by default on AWS */
    public Linter(int sizeLimit) {
        this.sizeLimit = sizeLimit;
    }

    public Linter() {
        this(2048);
    }

    /** Lints a trust policy document. A document IAM would refuse is one ERROR finding, MALFORMED. */
    public List<Finding> lintTrustPolicy(String document) {
        List<Finding> findings = new ArrayList<>();
        Policy policy;
        try {
            policy = Policy.parse(document, PolicyKind.TRUST);
        } catch (MalformedPolicyException e) {
            findings.add(new Finding(Finding.Severity.ERROR, "MALFORMED", e.location(),
                    "IAM refuses this document: " + e.getMessage(), "correct the element at " + e.location()));
            return findings;
        }
        for (Statement s : policy.statements()) {
            for (Condition c : s.conditions()) {
                conditionSyntax(s, c, findings);
            }
            if (s.effect() == Effect.Allow && s.principal() != null) {
                principals(s, findings);
            }
        }
        size(document, findings);
        return findings;
    }

    /** Condition keys whose request values are a set (IAM: "multivalued context keys require a set operator"). */
    private static final Set<String> MULTIVALUED_KEYS = Set.of("aws:tagkeys", "sts:transitivetagkeys",
            "aws:principalservicenameslist", "aws:calledvia");

    /** Mistakes in a condition whatever the principal: it can never match, or matches only itself. */
    private void conditionSyntax(Statement s, Condition c, List<Finding> out) {
        String at = s.label() + ".Condition." + c.operatorName() + "." + c.key();
        if (c.key().indexOf('*') >= 0 || c.key().indexOf('?') >= 0) {
            out.add(new Finding(Finding.Severity.ERROR, "WILDCARD_IN_CONDITION_KEY", at,
                    "condition key `" + c.key() + "` has a wildcard, but keys are never matched as patterns: this condition never finds its key",
                    "name the key exactly, e.g. `oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub`; list one key per provider"));
        }
        ConditionOperator op = c.operator();
        String key = c.key().toLowerCase(Locale.ROOT);
        if (c.qualifier() == null && op != ConditionOperator.Null && (MULTIVALUED_KEYS.contains(key) || key.endsWith(":amr"))) {
            out.add(new Finding(Finding.Severity.WARNING, "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR", at,
                    "`" + c.key() + "` can hold several values in one request, and IAM requires a set operator for such a key: without one, "
                            + "what the condition means for a request with several values is not documented",
                    "write ForAnyValue:" + c.operatorName() + " (some value matches) or ForAllValues:" + c.operatorName()
                            + " (every value matches; add a Null check, since it also holds when the key is absent)"));
        }
        for (String v : c.values()) {
            boolean hasWildcard = v.replace("${*}", "").replace("${?}", "").matches(".*[*?].*");
            if (EQUALS_OPERATORS.contains(op) && hasWildcard) {
                out.add(new Finding(Finding.Severity.ERROR, "WILDCARD_IN_STRING_EQUALS", at,
                        "`" + v + "` under " + c.operatorName() + " is compared literally: `*` and `?` are wildcards only under StringLike",
                        "use StringLike (or StringNotLike) for a pattern, or write the exact value"));
            }
            if ((op == ConditionOperator.StringLike || op == ConditionOperator.StringNotLike) && REGEX_SYNTAX.matcher(v).find()) {
                out.add(new Finding(Finding.Severity.ERROR, "REGEX_IN_STRING_LIKE", at,
                        "`" + v + "` looks like a regular expression, but StringLike knows only `*` and `?`: it matches only its own text",
                        "list each value instead, e.g. [\"system:serviceaccount:production:*\", \"system:serviceaccount:monitoring:*\"]"));
            }
        }
    }

    private void principals(Statement s, List<Finding> out) {
        Principals p = s.principal();
        List<String> federated = p.values().getOrDefault(PrincipalType.Federated, List.of());
        List<String> aws = p.values().getOrDefault(PrincipalType.AWS, List.of());
        boolean everyone = p.everyone() || aws.contains("*");
        if (everyone && s.conditions().stream().noneMatch(c -> RESTRICTING_AWS_KEYS.contains(c.key().toLowerCase(Locale.ROOT))
                && !c.operator().negated() && !c.ifExists() && c.qualifier() != Condition.Qualifier.ForAllValues)) {
            out.add(new Finding(Finding.Severity.ERROR, "PRINCIPAL_EVERYONE", s.label() + ".Principal",
                    "`" + (p.everyone() ? "\"*\"" : "{\"AWS\": \"*\"}") + "` lets any principal of any account assume the role, and no condition restricts it",
                    "name the principals, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn or sts:ExternalId"));
        }
        if (federated.contains("*")) {
            boolean restricted = s.conditions().stream().anyMatch(c -> claimOf(c.key()) != null && isSafeCheck(c));
            // IAM Access Analyzer's policy validation reports a wildcard in a Federated principal as an error.
            out.add(new Finding(Finding.Severity.ERROR, "FEDERATED_EVERYONE", s.label() + ".Principal.Federated",
                    "`Federated: \"*\"` is a wildcard where IAM expects an identity provider: IAM Access Analyzer reports it as an error "
                            + "(unsupported wildcard in principal), and where it is accepted it trusts every identity provider of the account, "
                            + (restricted ? "so only the conditions on provider claims keep the others out"
                            : "and no condition on a provider's claims keeps any of them out"),
                    "list the provider ARNs in Federated (one per cluster), each with a condition on its own `:sub` and `:aud`"));
        }
        for (String provider : federated) {
            var m = OIDC_PROVIDER.matcher(provider);
            if (m.matches() && SCHEME.matcher(m.group(1)).lookingAt()) {
                String bare = SCHEME.matcher(m.group(1)).replaceFirst("");
                out.add(new Finding(Finding.Severity.ERROR, "PROVIDER_ARN_WITH_SCHEME", s.label() + ".Principal.Federated",
                        "`" + provider + "` keeps the issuer's scheme: an OIDC provider's ARN names the issuer without `http://` or `https://` "
                                + "(a `sed 's|https://||'` leaves `http://` in place), so it matches no provider and no token",
                        "write `" + provider.substring(0, provider.length() - m.group(1).length()) + bare + "`, and `" + bare
                                + ":sub` and `:aud` in the condition keys"));
            } else if (m.matches()) {
                oidcConditions(s, m.group(1), federated, out);
            }
        }
    }

    private static final Pattern SCHEME = Pattern.compile("(?i)https?://");
    /** Providers with condition keys of their own (AWS adds some for GitHub and Google): their keys are not judged. */
    private static final List<String> PROVIDERS_WITH_OWN_KEYS = List.of("token.actions.githubusercontent.com", "accounts.google.com",
            "oidc.circleci.com/");

    private void oidcConditions(Statement s, String hostPath, List<String> federated, List<Finding> out) {
        String at = s.label() + ".Condition";
        if (neverPresentKeys(s, hostPath, out)) {
            return; // the statement allows nobody: what else it lacks does not matter
        }
        List<Condition> sub = keyed(s, hostPath + ":sub");
        List<Condition> aud = keyed(s, hostPath + ":aud");
        if (sub.isEmpty()) {
            out.add(new Finding(Finding.Severity.ERROR, "OIDC_SUB_MISSING", s.label() + ".Principal.Federated",
                    "no condition on `" + hostPath + ":sub`: every service account (every subject) of this issuer can assume the role",
                    "add \"StringEquals\": {\"" + hostPath + ":sub\": \"system:serviceaccount:NAMESPACE:NAME\"}"));
        }
        for (Condition c : sub) {
            bypassable(s, c, out);
            if (c.operator().negated()) {
                continue;
            }
            for (String v : c.values()) {
                subjectPattern(s, c, v, out);
            }
        }
        if (aud.isEmpty()) {
            out.add(new Finding(Finding.Severity.WARNING, "OIDC_AUD_MISSING", at,
                    "no condition on `" + hostPath + ":aud`: a token issued for another audience of this provider is accepted too",
                    "add \"StringEquals\": {\"" + hostPath + ":aud\": \"sts.amazonaws.com\"}"));
        }
        aud.forEach(c -> bypassable(s, c, out));
        for (Condition c : s.conditions()) {
            String claimHost = claimOf(c.key());
            if (claimHost != null && !claimHost.equals(hostPath.toLowerCase(Locale.ROOT)) && federated.stream()
                    .noneMatch(f -> f.equals("*") || f.toLowerCase(Locale.ROOT).endsWith(":oidc-provider/" + claimHost))) {
                out.add(new Finding(Finding.Severity.ERROR, "CONDITION_KEY_OTHER_PROVIDER", at + "." + c.operatorName() + "." + c.key(),
                        "condition key `" + c.key() + "` belongs to a provider that is not this statement's Federated principal: the key is never present",
                        "use `" + hostPath + c.key().substring(c.key().lastIndexOf(':')) + "`, or add that provider to Federated"));
            }
        }
    }

    /**
     * Conditions on claims of this provider that STS never makes keys of (the {@code :namespace} or
     * {@code :svcacct} some guides invent): a condition that needs such a key never holds, one that holds
     * without it checks nothing. Returns whether one of them keeps the statement from ever allowing.
     */
    private boolean neverPresentKeys(Statement s, String hostPath, List<Finding> out) {
        String host = hostPath.toLowerCase(Locale.ROOT);
        if (PROVIDERS_WITH_OWN_KEYS.stream().anyMatch(host::startsWith)) {
            return false;
        }
        boolean allowsNobody = false;
        for (Condition c : s.conditions()) {
            String key = c.key().toLowerCase(Locale.ROOT);
            if (!host.equals(claimOf(key)) || RequestContext.WEB_IDENTITY_CLAIMS.contains(key.substring(key.lastIndexOf(':') + 1))) {
                continue;
            }
            String at = s.label() + ".Condition." + c.operatorName() + "." + c.key();
            String claim = c.key().substring(c.key().lastIndexOf(':') + 1);
            boolean needsKey = c.operator() == ConditionOperator.Null ? c.values().stream().allMatch("false"::equalsIgnoreCase)
                    : !c.operator().negated() && !c.ifExists() && c.qualifier() != Condition.Qualifier.ForAllValues;
            if (needsKey) {
                allowsNobody = true;
                out.add(new Finding(Finding.Severity.ERROR, "OIDC_KEY_NEVER_PRESENT", at,
                        "`" + c.key() + "` is never present: STS makes condition keys of an OIDC token's `sub`, `aud`, `amr` and `azp` only, so this "
                                + "condition never holds and nobody can assume the role through this statement",
                        "put the " + claim + " into the subject: \"StringEquals\": {\"" + hostPath
                                + ":sub\": \"system:serviceaccount:NAMESPACE:NAME\"} (StringLike with `system:serviceaccount:NAMESPACE:*` for a whole namespace)"));
            } else {
                out.add(new Finding(Finding.Severity.WARNING, "OIDC_KEY_NEVER_PRESENT", at,
                        "`" + c.key() + "` is never present: STS makes condition keys of an OIDC token's `sub`, `aud`, `amr` and `azp` only, so this "
                                + "condition always holds and checks nothing",
                        "check the " + claim + " through `" + hostPath + ":sub` instead"));
            }
        }
        return allowsNobody;
    }

    private void subjectPattern(Statement s, Condition c, String value, List<Finding> out) {
        String at = s.label() + ".Condition." + c.operatorName() + "." + c.key();
        boolean like = c.operator() == ConditionOperator.StringLike;
        if (!like) {
            return; // equals operators: a wildcard there is literal and reported as such
        }
        if (value.equals("*") || value.equals("system:serviceaccount:*")) {
            out.add(new Finding(Finding.Severity.ERROR, "OIDC_SUB_WILDCARD", at,
                    "`" + value + "` matches every subject: any service account of the cluster can assume the role",
                    "name the service account: system:serviceaccount:NAMESPACE:NAME"));
            return;
        }
        String prefix = "system:serviceaccount:";
        if (value.startsWith(prefix)) {
            String rest = value.substring(prefix.length());
            int colon = rest.indexOf(':');
            String namespace = colon < 0 ? rest : rest.substring(0, colon);
            if (namespace.contains("*") || namespace.contains("?") || colon < 0) {
                out.add(new Finding(Finding.Severity.WARNING, "OIDC_SUB_NAMESPACE_WILDCARD", at,
                        "`" + value + "` wildcards the namespace: service accounts of namespaces created later match too",
                        "name the namespace; list several values for several namespaces"));
            }
        }
    }

    /** A sub/aud check that a token can pass without the claim having the expected value. */
    private void bypassable(Statement s, Condition c, List<Finding> out) {
        String at = s.label() + ".Condition." + c.operatorName() + "." + c.key();
        String why = null;
        if (c.qualifier() == Condition.Qualifier.ForAllValues) {
            why = "ForAllValues holds when the key is missing or empty";
        } else if (c.ifExists()) {
            why = "IfExists holds when the key is missing";
        } else if (c.operator().negated() && s.conditions().stream()
                .noneMatch(o -> o != c && o.key().equalsIgnoreCase(c.key()) && !o.operator().negated())) {
            why = "only a negated operator checks it, and a negated operator holds for every other value (and for a missing key)";
        }
        if (why != null) {
            out.add(new Finding(Finding.Severity.ERROR, "BYPASSABLE_CLAIM_CHECK", at,
                    "the check on `" + c.key() + "` can be bypassed: " + why,
                    "check it with StringEquals (or StringLike for a pattern), without ForAllValues or IfExists"));
        }
    }

    private static boolean isSafeCheck(Condition c) {
        return !c.operator().negated() && !c.ifExists() && c.qualifier() != Condition.Qualifier.ForAllValues
                && c.key().toLowerCase(Locale.ROOT).endsWith(":sub");
    }

    /** The provider host/path of a provider claim key (`host/path:claim`), lower-cased, or null for aws:, sts: and other keys. */
    private static String claimOf(String key) {
        int colon = key.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String prefix = key.substring(0, colon).toLowerCase(Locale.ROOT);
        return prefix.contains(".") || prefix.contains("/") ? prefix : null;
    }

    private static List<Condition> keyed(Statement s, String key) {
        return s.conditions().stream().filter(c -> c.key().equalsIgnoreCase(key)).toList();
    }

    private void size(String document, List<Finding> out) {
        long size = document.chars().filter(ch -> !Character.isWhitespace(ch)).count();
        if (size > sizeLimit) {
            out.add(new Finding(Finding.Severity.ERROR, "SIZE_OVER_LIMIT", "document",
                    "the document has " + size + " characters (whitespace excluded), over the trust policy quota of " + sizeLimit,
                    "merge statements, or ask for a higher ACLSizePerRole quota"));
        } else if (size * 10 >= sizeLimit * 9L) {
            out.add(new Finding(Finding.Severity.WARNING, "SIZE_NEAR_LIMIT", "document",
                    "the document has " + size + " of " + sizeLimit + " characters (whitespace excluded): little room is left",
                    "merge statements or values before adding more"));
        }
    }

}
