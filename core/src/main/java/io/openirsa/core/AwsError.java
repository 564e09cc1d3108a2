package io.openirsa.core;

/**
 * Every error OpenIRSA answers, with the code and HTTP status its API gives it. One code answered
 * with two statuses (on two wires) is two constants, the second named for its wire.
 */
public enum AwsError {
    ACCESS_DENIED("AccessDenied", 403),
    ACCESS_DENIED_EXCEPTION("AccessDeniedException", 400),
    /** Kubernetes' Status reason for a TokenRequest it cannot read. */
    BAD_REQUEST("BadRequest", 400),
    DELETE_CONFLICT("DeleteConflict", 409),
    ENTITY_ALREADY_EXISTS("EntityAlreadyExists", 409),
    EXPIRED_TOKEN("ExpiredToken", 403),
    EXPIRED_TOKEN_EXCEPTION("ExpiredTokenException", 400),
    IDP_COMMUNICATION_ERROR("IDPCommunicationError", 400),
    INCOMPLETE_SIGNATURE("IncompleteSignature", 400),
    /** The JSON protocols' internal error. */
    INTERNAL_FAILURE("InternalFailure", 500),
    INVALID_ACTION("InvalidAction", 400),
    INVALID_CLIENT_TOKEN_ID("InvalidClientTokenId", 403),
    /** A TokenRequest's bearer token, answered as Kubernetes answers (401). */
    INVALID_CLIENT_TOKEN_ID_UNAUTHORIZED("InvalidClientTokenId", 401),
    INVALID_IDENTITY_TOKEN("InvalidIdentityToken", 400),
    INVALID_INPUT("InvalidInput", 400),
    INVALID_LOOKUP_ATTRIBUTES_EXCEPTION("InvalidLookupAttributesException", 400),
    INVALID_MAX_RESULTS_EXCEPTION("InvalidMaxResultsException", 400),
    INVALID_NEXT_TOKEN_EXCEPTION("InvalidNextTokenException", 400),
    INVALID_PARAMETER_EXCEPTION("InvalidParameterException", 400),
    INVALID_REQUEST_EXCEPTION("InvalidRequestException", 400),
    INVALID_SIGNATURE_EXCEPTION("InvalidSignatureException", 403),
    INVALID_TIME_RANGE_EXCEPTION("InvalidTimeRangeException", 400),
    INVALID_TOKEN_EXCEPTION("InvalidTokenException", 400),
    LIMIT_EXCEEDED("LimitExceeded", 409),
    MALFORMED_POLICY_DOCUMENT("MalformedPolicyDocument", 400),
    MALFORMED_QUERY_STRING("MalformedQueryString", 400),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
    MISSING_ACTION("MissingAction", 400),
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationToken", 403),
    MISSING_AUTHENTICATION_TOKEN_EXCEPTION("MissingAuthenticationTokenException", 403),
    /** CloudTrail's JSON 1.1 answer to an unsigned call. */
    MISSING_AUTHENTICATION_TOKEN_EXCEPTION_JSON("MissingAuthenticationTokenException", 400),
    /** A TokenRequest without credentials (401). */
    MISSING_AUTHENTICATION_TOKEN_UNAUTHORIZED("MissingAuthenticationToken", 401),
    NO_SUCH_ENTITY("NoSuchEntity", 404),
    PACKED_POLICY_TOO_LARGE("PackedPolicyTooLarge", 400),
    RESOURCE_IN_USE_EXCEPTION("ResourceInUseException", 409),
    RESOURCE_NOT_FOUND_EXCEPTION("ResourceNotFoundException", 404),
    SERIALIZATION_EXCEPTION("SerializationException", 400),
    /** EKS's internal error. */
    SERVER_EXCEPTION("ServerException", 500),
    /** IAM's and STS's internal error. */
    SERVICE_FAILURE("ServiceFailure", 500),
    /** The query and JSON protocols' answer when overloaded. */
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503),
    SERVICE_UNAVAILABLE_EXCEPTION("ServiceUnavailableException", 503),
    SIGNATURE_DOES_NOT_MATCH("SignatureDoesNotMatch", 403),
    /** CloudTrail's answer over its request-rate quota (the SDKs back off and retry it). */
    THROTTLING_EXCEPTION("ThrottlingException", 400),
    UNKNOWN_OPERATION_EXCEPTION("UnknownOperationException", 404),
    /** CloudTrail's JSON 1.1 answer to an unknown X-Amz-Target. */
    UNKNOWN_OPERATION_EXCEPTION_JSON("UnknownOperationException", 400),
    UNSUPPORTED_MEDIA_TYPE("UnsupportedMediaType", 415),
    VALIDATION_ERROR("ValidationError", 400);

    private final String code;
    private final int status;

    AwsError(String code, int status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
