package parley.runtime.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import parley.runtime.error.ErrorCode;

/**
 * Errors Jetty answers itself, before a request reaches Javalin (an oversized request line or
 * header block, a malformed request): the same {@code {"error","message"}} JSON as every other
 * error instead of Jetty's HTML page, and {@code Connection: close}, because the rest of such a
 * request may still be on the wire and must not be read as the next request on a kept-alive
 * connection.
 */
final class JettyErrors extends ErrorHandler {

    @Override
    protected void generateResponse(
            Request request, Response response, int status, String message, Throwable cause, Callback callback)
            throws IOException {
        if (status == 505) {
            // Jetty's "HTTP/0.9 not supported": a request line without a version, which is also
            // what an over-long line cut at the limit looks like to its parser. The client's
            // fault either way, so a 400, never a server-class status
            status = 400;
            response.setStatus(status);
            message = "the request line is malformed or too long: send HTTP/1.1 with a path and query under 8 KiB";
        }
        ErrorCode code = HttpErrors.fromStatus(status);
        String text = switch (status) {
            case 414 -> "the request line (path and query) is too long";
            case 431 -> "the request headers are too large";
            default -> message == null || message.isBlank() ? code.name() : message;
        };
        byte[] body = Json.mapper().writeValueAsBytes(new HttpErrors.ErrorBody(code.name(), text));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
