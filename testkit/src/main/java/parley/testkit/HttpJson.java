package parley.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny JSON-over-HTTP client for tests against real servers. */
public final class HttpJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // HTTP/1.1, as the services speak: the JDK client's default tries an h2c upgrade on every new
    // connection, which made the fuzz suite's connection handling depend on timing
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    public HttpJson(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response: status, raw body, parsed JSON (or a missing node), headers. */
    public record Reply(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return body.isBlank() ? MAPPER.missingNode() : MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        public String error() {
            return json().path("error").asText();
        }
    }

    public Reply get(String path, String token) {
        return send("GET", path, null, token);
    }

    public Reply post(String path, String jsonBody, String token) {
        return send("POST", path, jsonBody, token);
    }

    public Reply put(String path, String jsonBody, String token) {
        return send("PUT", path, jsonBody, token);
    }

    public Reply delete(String path, String token) {
        return send("DELETE", path, null, token);
    }

    public Reply send(String method, String path, String jsonBody, String token) {
        return send(method, path, jsonBody, token, Map.of());
    }

    /** The same with extra request headers. */
    public Reply send(String method, String path, String jsonBody, String token, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JSON text from alternating keys and values, for request bodies. */
    public static String obj(Object... kv) {
        var node = MAPPER.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            node.set((String) kv[i], MAPPER.valueToTree(kv[i + 1]));
        }
        return node.toString();
    }
}
