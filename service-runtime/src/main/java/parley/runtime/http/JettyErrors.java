package parley.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

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
            Request request, Response response, int status, String message, Throwable cause, Callback callback) {
        // 505 (an HTTP/0.9-looking request line) is the client's fault, like the rest here
        var code = status == 505 ? parley.runtime.error.ErrorCode.INVALID_ARGUMENT : HttpErrors.fromStatus(status);
        String text = switch (status) {
            case 414 -> "the request line (path and query) is too long";
            case 431 -> "the request headers are too large";
            default -> message == null || message.isBlank() ? code.name() : message;
        };
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(new HttpErrors.ErrorBody(code.name(), text));
        } catch (JsonProcessingException impossible) {
            body = ("{\"error\":\"" + code.name() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
