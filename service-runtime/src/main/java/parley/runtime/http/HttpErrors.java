package parley.runtime.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.grpc.StatusRuntimeException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Unavailable;

/**
 * Maps every failure to {@code {"error": CODE, "message": text}} with a fitting status, once, for
 * all routes. Nothing internal (stack traces, class names) leaves the process.
 */
public final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    static void install(RoutesConfig routes) {
        routes.exception(ServiceException.class, (e, ctx) -> {
            e.retryAfter().ifPresent(wait -> ctx.header("Retry-After", Long.toString(Math.max(1, wait.toSeconds()))));
            write(ctx, e.code(), e.getMessage());
        });
        routes.exception(
                JsonProcessingException.class, (e, ctx) -> write(ctx, ErrorCode.INVALID_ARGUMENT, describe(e)));
        // a peer service's answer keeps its meaning (NOT_FOUND stays 404, UNAVAILABLE becomes 503)
        routes.exception(StatusRuntimeException.class, (e, ctx) -> {
            ErrorCode code = ErrorCode.fromGrpc(e.getStatus().getCode());
            String description = e.getStatus().getDescription();
            if (code == ErrorCode.UNAVAILABLE) {
                description = "a Parley service is unavailable right now; try again shortly";
            }
            write(ctx, code, description == null ? code.name() : description);
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            String message = e.getStatus() == 413
                    ? "the body is larger than the limit of " + HttpHost.MAX_BODY_BYTES / 1024 + " KiB"
                    : e.getMessage();
            write(ctx, fromStatus(e.getStatus()), message, e.getStatus());
        });
        routes.exception(Exception.class, (e, ctx) -> {
            Throwable cause = unwrap(e);
            if (cause != e
                    && cause instanceof Exception inner
                    && !(cause instanceof RuntimeException && cause.getClass() == RuntimeException.class)) {
                if (inner instanceof ServiceException se) {
                    write(ctx, se.code(), se.getMessage());
                    return;
                }
                if (inner instanceof JsonProcessingException jpe) {
                    write(ctx, ErrorCode.INVALID_ARGUMENT, describe(jpe));
                    return;
                }
            }
            if (Unavailable.is(e)) {
                log.warn("{}: {}", describe(ctx), e.toString());
                write(ctx, ErrorCode.UNAVAILABLE, Unavailable.MESSAGE);
                return;
            }
            log.error("unexpected failure on {}", describe(ctx), e);
            try {
                write(ctx, ErrorCode.INTERNAL, "internal error; see the service log");
            } catch (RuntimeException responseGone) {
                // the client is gone (e.g. a closed event stream): nothing to answer
            }
        });
    }

    /** What is wrong with a JSON body, in the client's terms (no Java class names). */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e instanceof MismatchedInputException m) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b)
                    .orElse("");
            return field.isEmpty()
                    ? "the body must be a JSON object with the documented fields"
                    : "field '" + field + "' has the wrong type";
        }
        if (e instanceof JsonParseException p) {
            String reason = p.getOriginalMessage();
            int cut = reason.indexOf(" (");
            return "the body is not valid JSON: " + (cut > 0 ? reason.substring(0, cut) : reason);
        }
        return "the body is not valid JSON of the expected shape";
    }

    private static String describe(Context ctx) {
        try {
            return ctx.method() + " " + ctx.path();
        } catch (RuntimeException recycled) {
            return "a finished request";
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    public static void write(Context ctx, ErrorCode code, String message) {
        write(ctx, code, message, code.httpStatus());
    }

    private static void write(Context ctx, ErrorCode code, String message, int status) {
        if (hasBody(ctx)) {
            // the body may be partly unread (refused before it was parsed): a kept-alive connection
            // could take its rest for the next request, so this one ends with the answer
            ctx.header("Connection", "close");
        }
        ctx.status(status).json(new ErrorBody(code.name(), message == null ? code.name() : message));
    }

    private static boolean hasBody(Context ctx) {
        try {
            return ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        } catch (RuntimeException recycled) {
            return false;
        }
    }

    /** A record, not a map, so "error" always comes before "message". */
    record ErrorBody(String error, String message) {}

    static ErrorCode fromStatus(int status) {
        return switch (status) {
            case 400 -> ErrorCode.INVALID_ARGUMENT;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 409 -> ErrorCode.ALREADY_EXISTS;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 429 -> ErrorCode.RESOURCE_EXHAUSTED;
            case 503 -> ErrorCode.UNAVAILABLE;
            case 505 -> ErrorCode.INVALID_ARGUMENT; // an HTTP version we do not speak: the client's to change
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
        };
    }
}
