package io.openirsa.policy;

/**
 * A document IAM would refuse with MalformedPolicyDocument. The message is the one IAM gives;
 * {@link #location()} points at the element at fault (e.g. {@code Statement[1].Condition}).
 */
public final class MalformedPolicyException extends RuntimeException {
    private final String location;

    public MalformedPolicyException(String message, String location) {
        super(message);
        this.location = location;
    }

    public String location() {
        return location;
    }
}
