package io.openirsa.core.audit;

import io.openirsa.core.AwsException;
import io.openirsa.core.WebIdentity;
import io.openirsa.core.Caller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One answered API call, as the wire layer saw it: enough to write its CloudTrail record. Filled
 * while the call is handled, then recorded before the response leaves.
 */
public final class ApiCall {
    /** A resource the call touched, as CloudTrail lists it. */
    public record Resource(String type, String arn, String accountId) {
    }

    /** CloudTrail omits requestParameters larger than 100 KB (of JSON); so does this record. */
    static final int MAX_PARAMETERS = 100 * 1024;
    /** What a record keeps of a user agent or an error message, both partly the caller's text. */
    static final int MAX_TEXT = 1024;

    final long startedNanos = System.nanoTime();
    String service;
    final String eventName;
    final String requestId;
    final Instant time;
    final String region;
    String allowedBy;
    final String sourceIp;
    final String userAgent;
    Caller caller;
    String accessKeyId;
    WebIdentity webIdentity;
    final Map<String, Object> requestParameters = new LinkedHashMap<>();
    /** The parameters' size so far as JSON bytes; past {@link #MAX_PARAMETERS} they are all dropped. */
    private long parameterSize;
    boolean parametersOmitted;
    Map<String, Object> responseElements;
    final List<Resource> resources = new ArrayList<>();
    AwsException error;
    String recipientAccountId;

    /** @param service sts, iam or eks */
    public ApiCall(String service, String eventName, String requestId, Instant time, String region, String sourceIp, String userAgent) {
        this.service = service;
        this.eventName = eventName;
        this.requestId = requestId;
        this.time = time;
        this.region = region;
        this.sourceIp = sourceIp;
        this.userAgent = bounded(userAgent);
    }

    /** At most {@link #MAX_TEXT} characters of a text the caller chose. */
    static String bounded(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }

    /** The service the call turned out to be for (a signature's scope), where the request named another. */
    public ApiCall service(String service) {
        this.service = service;
        return this;
    }

    public ApiCall caller(Caller c, String accessKey) {
        this.caller = c;
        this.accessKeyId = accessKey;
        if (c != null) {
            recipientAccountId = c.accountId();
        }
        return this;
    }

    public ApiCall webIdentity(WebIdentity w) {
        this.webIdentity = w;
        return this;
    }

    /** The statement that allowed the call (its label, e.g. {@code Statement[0] (Sid AllowApp)}), for the record. */
    public ApiCall allowedBy(String statement) {
        this.allowedBy = statement;
        return this;
    }

    public ApiCall parameter(String name, Object value) {
        if (value != null && !parametersOmitted) {
            parameterSize += jsonSize(name) + size(value);
            if (parameterSize > MAX_PARAMETERS) {
                parametersOmitted = true;
                requestParameters.clear();
            } else {
                requestParameters.put(name, value);
            }
        }
        return this;
    }

    /** Whether the request's parameters were over CloudTrail's 100 KB and left out of the record. */
    public boolean parametersOmitted() {
        return parametersOmitted;
    }

    private static long size(Object value) {
        return switch (value) {
            case String s -> jsonSize(s);
            case Map<?, ?> m -> m.entrySet().stream().mapToLong(e -> jsonSize(String.valueOf(e.getKey())) + size(e.getValue())).sum();
            case Collection<?> c -> c.stream().mapToLong(v -> v == null ? 4 : size(v)).sum();
            default -> String.valueOf(value).length();
        };
    }

    /**
     * At most the UTF-8 bytes of the text as a JSON string, escapes included. A control character is
     * written as six (a backslash, u, four hex digits): counting characters let 99 KB of them make a
     * 600 KB record, and a few hundred such calls at once, unauthenticated, ran a 96 MiB server out of memory.
     */
    static long jsonSize(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x20 ? 6 : c == '"' || c == '\\' ? 2 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }

    public ApiCall responseElements(Map<String, Object> elements) {
        this.responseElements = elements;
        return this;
    }

    public ApiCall resource(String type, String arn, String accountId) {
        resources.add(new Resource(type, arn, accountId));
        if (recipientAccountId == null) {
            recipientAccountId = accountId;
        }
        return this;
    }

    /** The call was refused; the refusal may say who the web identity token claimed to be. */
    public ApiCall failed(AwsException e) {
        this.error = e;
        if (e.claimedBy() != null && webIdentity == null) {
            webIdentity = e.claimedBy();
        }
        return this;
    }

    public ApiCall recipient(String accountId) {
        this.recipientAccountId = accountId;
        return this;
    }

    /** The account the record belongs to, once known. */
    public String recipient() {
        return recipientAccountId;
    }

    public String eventName() {
        return eventName;
    }

    public String service() {
        return service;
    }

    /** The error code, or null when the call was answered. */
    public String errorCode() {
        return error == null ? null : error.code();
    }

    /** Where a refusal failed (its denial stage), or null. */
    public String denialStage() {
        return error == null || error.denial() == null ? null : error.denial().stage().wireName();
    }

    /** Who called: the signer's ARN, the web identity's subject, or null. */
    public String principal() {
        if (webIdentity != null) {
            return webIdentity.subject();
        }
        return caller == null ? null : caller.arn();
    }

    /** Nanoseconds since the call started being handled. */
    public long elapsedNanos() {
        return System.nanoTime() - startedNanos;
    }

    public String requestId() {
        return requestId;
    }

    public String sourceIp() {
        return sourceIp;
    }

    public String userAgent() {
        return userAgent;
    }

    /** The HTTP status of the answer: the error's, else 200. */
    public int httpStatus() {
        return error == null ? 200 : error.status();
    }
}
