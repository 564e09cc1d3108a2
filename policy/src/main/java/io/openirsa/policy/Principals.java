package io.openirsa.policy;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parsed Principal element. {@code "*"} and {@code {"AWS":"*"}} name everyone. Values are compared
 * exactly: IAM allows no partial wildcards in principals. An account (id or {@code :root} ARN) names
 * every principal of that account.
 */
public record Principals(boolean everyone, Map<PrincipalType, List<String>> values) {
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern ROOT_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):root");

    public Principals {
        values = Map.copyOf(values);
    }

    public boolean matches(RequestPrincipal principal) {
        if (everyone) {
            return true;
        }
        if (principal == null) {
            return false;
        }
        List<String> aws = values.get(PrincipalType.AWS);
        if (aws != null && aws.contains("*")) {
            return true;
        }
        List<String> named = values.get(principal.type());
        if (named == null) {
            return false;
        }
        for (String value : named) {
            if (value.equals("*") || principal.ids().contains(value)) {
                return true;
            }
            if (principal.type() == PrincipalType.AWS && principal.account() != null
                    && principal.account().equals(accountOf(value))) {
                return true;
            }
        }
        return false;
    }

    private static String accountOf(String value) {
        if (ACCOUNT.matcher(value).matches()) {
            return value;
        }
        var m = ROOT_ARN.matcher(value);
        return m.matches() ? m.group(1) : null;
    }
}
