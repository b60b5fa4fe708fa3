package parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import parley.frontend.http.EventsRoute;

/**
 * The path people use, for {@code --http}: sends are {@code POST /messages} to message-svc over
 * keep-alive HTTP/1.1 connections; receivers hold {@code GET /events} (Server-Sent Events) on
 * frontend-svc, one virtual thread each, reading {@code notification} events.
 */
final class HttpDriver {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI messages;
    private final URI events;

    HttpDriver(String host, int messageHttp, int frontendHttp) {
        this.messages = URI.create("http://" + host + ":" + messageHttp + "/messages");
        this.events = URI.create("http://" + host + ":" + frontendHttp + EventsRoute.PATH);
    }

    /** Completes with the stored message's id; fails with the status and body of an error. */
    CompletableFuture<Long> send(String token, String to, String content) {
        String body = JSON.createObjectNode()
                .put("receiver_email", to)
                .put("content", content)
                .toString();
        HttpRequest request = HttpRequest.newBuilder(messages)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 201) {
                throw new IllegalStateException("POST /messages " + r.statusCode() + ": " + r.body());
            }
            try {
                return JSON.readTree(r.body()).path("id").asLong();
            } catch (Exception e) {
                throw new IllegalStateException("unreadable answer: " + r.body(), e);
            }
        });
    }

    /** What a receiver hands on of each notification. */
    @FunctionalInterface
    interface OnNotification {
        void accept(long messageId, String preview, String notificationId);
    }

    /** Opens /events; each notification's message_id, preview and id go to {@code onNotification}. */
    void subscribe(String token, OnNotification onNotification, Consumer<Throwable> onError) {
        HttpRequest request = HttpRequest.newBuilder(events)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        Thread.ofVirtual().name("sse-receiver").start(() -> {
            try {
                HttpResponse<Stream<String>> r = client.send(request, HttpResponse.BodyHandlers.ofLines());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("GET /events " + r.statusCode());
                }
                String[] event = {""};
                r.body().forEach(line -> {
                    if (line.startsWith("event:")) {
                        event[0] = line.substring(6).trim();
                    } else if (line.startsWith("data:") && "notification".equals(event[0])) {
                        try {
                            JsonNode n = JSON.readTree(line.substring(5).trim());
                            onNotification.accept(
                                    n.path("message_id").asLong(),
                                    n.path("preview").asText(),
                                    n.path("id").asText());
                        } catch (Exception e) {
                            onError.accept(e);
                        }
                    }
                });
            } catch (Exception e) {
                onError.accept(e);
            }
        });
    }
}
