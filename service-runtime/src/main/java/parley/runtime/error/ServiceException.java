package parley.runtime.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure a caller can act on: a code and a plain message. Domain code throws it; each transport
 * maps it once (gRPC status, HTTP status + {@code {"error", "message"}}).
 */
public class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final Duration retryAfter;

    public ServiceException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private ServiceException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the caller should wait before trying again, when known (HTTP {@code Retry-After}). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Too many requests (429 / RESOURCE_EXHAUSTED); try again after {@code retryAfter}. */
    public static ServiceException tooMany(String message, Duration retryAfter) {
        return new ServiceException(ErrorCode.RESOURCE_EXHAUSTED, message, retryAfter);
    }

    public static ServiceException invalid(String message) {
        return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static ServiceException notFound(String message) {
        return new ServiceException(ErrorCode.NOT_FOUND, message);
    }

    public static ServiceException denied(String message) {
        return new ServiceException(ErrorCode.PERMISSION_DENIED, message);
    }
}
