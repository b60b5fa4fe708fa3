package parley.runtime.error;

/**
 * A failure a caller can act on: a code and a plain message. Domain code throws it; each transport
 * maps it once (gRPC status, HTTP status + {@code {"error", "message"}}).
 */
public class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public ServiceException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
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
