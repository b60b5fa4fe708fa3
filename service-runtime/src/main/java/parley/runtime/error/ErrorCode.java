package parley.runtime.error;

import io.grpc.Status;

/** The error codes every Parley API speaks, with their HTTP status and gRPC status. */
public enum ErrorCode {
    INVALID_ARGUMENT(400, Status.Code.INVALID_ARGUMENT),
    UNAUTHENTICATED(401, Status.Code.UNAUTHENTICATED),
    PERMISSION_DENIED(403, Status.Code.PERMISSION_DENIED),
    NOT_FOUND(404, Status.Code.NOT_FOUND),
    METHOD_NOT_ALLOWED(405, Status.Code.UNIMPLEMENTED),
    ALREADY_EXISTS(409, Status.Code.ALREADY_EXISTS),
    FAILED_PRECONDITION(412, Status.Code.FAILED_PRECONDITION),
    PAYLOAD_TOO_LARGE(413, Status.Code.INVALID_ARGUMENT),
    RESOURCE_EXHAUSTED(429, Status.Code.RESOURCE_EXHAUSTED),
    INTERNAL(500, Status.Code.INTERNAL),
    UNAVAILABLE(503, Status.Code.UNAVAILABLE);

    private final int httpStatus;
    private final Status.Code grpcCode;

    ErrorCode(int httpStatus, Status.Code grpcCode) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Status.Code grpcCode() {
        return grpcCode;
    }

    /** The code matching a gRPC status from a peer, so an upstream error keeps its meaning. */
    public static ErrorCode fromGrpc(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> INVALID_ARGUMENT;
            case UNAUTHENTICATED -> UNAUTHENTICATED;
            case PERMISSION_DENIED -> PERMISSION_DENIED;
            case NOT_FOUND -> NOT_FOUND;
            case ALREADY_EXISTS -> ALREADY_EXISTS;
            case FAILED_PRECONDITION, ABORTED -> FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> RESOURCE_EXHAUSTED;
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> UNAVAILABLE;
            default -> INTERNAL;
        };
    }
}
