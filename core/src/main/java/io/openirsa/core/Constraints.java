package io.openirsa.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects request-field violations and reports them all at once, in the form AWS's model
 * validation uses: {@code 2 validation errors detected: Value 'x' at 'roleSessionName' failed to
 * satisfy constraint: ...; ...}.
 */
public final class Constraints {
    private final List<String> violations = new ArrayList<>();

    public Constraints required(String field, Object value) {
        if (value == null) {
            violations.add("Value null at '" + field + "' failed to satisfy constraint: Member must not be null");
        }
        return this;
    }

    public Constraints length(String field, String value, int min, int max) {
        return length(field, value, min, max, false);
    }

    /** Sensitive values (tokens, secrets) are not echoed back, as AWS omits them. */
    public Constraints length(String field, String value, int min, int max, boolean sensitive) {
        if (value == null) {
            return this;
        }
        String shown = sensitive ? "Value" : "Value '" + value + "'";
        if (value.length() < min) {
            violations.add(shown + " at '" + field + "' failed to satisfy constraint: Member must have length greater than or equal to " + min);
        } else if (value.length() > max) {
            violations.add(shown + " at '" + field + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
        }
        return this;
    }

    public Constraints pattern(String field, String value, Pattern pattern) {
        if (value != null && !pattern.matcher(value).matches()) {
            violations.add("Value '" + value + "' at '" + field + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern.pattern());
        }
        return this;
    }

    public Constraints range(String field, Integer value, int min, int max) {
        if (value == null) {
            return this;
        }
        if (value < min) {
            violations.add("Value '" + value + "' at '" + field + "' failed to satisfy constraint: Member must have value greater than or equal to " + min);
        } else if (value > max) {
            violations.add("Value '" + value + "' at '" + field + "' failed to satisfy constraint: Member must have value less than or equal to " + max);
        }
        return this;
    }

    /** Throws ValidationError if anything was violated. */
    public void check() {
        if (!violations.isEmpty()) {
            String count = violations.size() == 1 ? "1 validation error detected: " : violations.size() + " validation errors detected: ";
            throw AwsException.validation(count + String.join("; ", violations));
        }
    }
}
