package io.openirsa.core;

/**
 * Every refusal the domain makes, as AWS names it: an error code, an HTTP status and a message.
 * Each wire protocol renders it in its own envelope; none invents codes of its own.
 */
public final class AwsException extends RuntimeException {
    private final AwsError error;
    private Denial denial;
    private WebIdentity claimedBy;

    /**
     * Why a call was refused, for the administrator (the audit record and {@code irsa explain}); the
     * caller only ever sees AWS's code and message.
     *
     * @param stage where it failed
     * @param reason what exactly did not hold
     * @param fix what to change
     */
    public record Denial(DenialStage stage, String reason, String fix) {
    }

    /**
     * The longest message an answer carries. Messages repeat what the caller sent (a validation error
     * quotes the value, once per rule it breaks), and an answer waits in memory for a client that may
     * read it slowly: 1 MB bodies quoted back as 3 MB of escaped XML ran a 96 MiB server out of memory
     * with 19 callers, before signing in.
     */
    static final int MAX_MESSAGE = 4096;

    public AwsException(AwsError error, String message) {
        super(message != null && message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message,
                null, false, false); // no stack trace: these are answers, not faults
        this.error = error;
    }

    public AwsError error() {
        return error;
    }

    public String code() {
        return error.code();
    }

    public int status() {
        return error.status();
    }

    /** Attaches the administrator's explanation; returns this exception for throwing. */
    public AwsException explained(DenialStage stage, String reason, String fix) {
        this.denial = new Denial(stage, reason, fix);
        return this;
    }

    /** The administrator's explanation, or null. */
    public Denial denial() {
        return denial;
    }

    /** Says who the refused call's web identity token claimed to be, for its audit record; returns this exception. */
    public AwsException claimedBy(WebIdentity identity) {
        if (claimedBy == null) {
            claimedBy = identity;
        }
        return this;
    }

    /** Who the web identity token claimed to be, or null. */
    public WebIdentity claimedBy() {
        return claimedBy;
    }

    /** Query-protocol {@code <Type>}: Sender for 4xx, Receiver for 5xx. */
    public boolean senderFault() {
        return error.status() < 500;
    }

    public static AwsException validation(String message) {
        return new AwsException(AwsError.VALIDATION_ERROR, message);
    }

    public static AwsException invalidInput(String message) {
        return new AwsException(AwsError.INVALID_INPUT, message);
    }

    public static AwsException noSuchEntity(String message) {
        return new AwsException(AwsError.NO_SUCH_ENTITY, message);
    }

    public static AwsException alreadyExists(String message) {
        return new AwsException(AwsError.ENTITY_ALREADY_EXISTS, message);
    }

    public static AwsException accessDenied(String message) {
        return new AwsException(AwsError.ACCESS_DENIED, message);
    }

    public static AwsException invalidIdentityToken(String message) {
        return new AwsException(AwsError.INVALID_IDENTITY_TOKEN, message);
    }

    public static AwsException malformedPolicy(String message) {
        return new AwsException(AwsError.MALFORMED_POLICY_DOCUMENT, message);
    }
}
