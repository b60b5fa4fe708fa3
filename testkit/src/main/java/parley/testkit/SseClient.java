package parley.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal Server-Sent Events reader over java.net.http, for tests. */
public final class SseClient implements AutoCloseable {
    public record Event(String type, String id, String data) {}

    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    public final List<String> raw = new CopyOnWriteArrayList<>();
    public final int status;
    /** Set once the server ended the stream (or it broke). */
    public volatile boolean ended;

    private final Stream<String> lines;
    private final Thread reader;

    public SseClient(int port, String token, String lastEventId) throws Exception {
        this(port, token, lastEventId, "text/event-stream");
    }

    /** With the given {@code Accept} header: a browser's EventSource sends text/event-stream, curl sends the any-type wildcard. */
    public SseClient(int port, String token, String lastEventId, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Accept", accept);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response =
                HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines());
        status = response.statusCode();
        lines = response.body();
        reader = Thread.ofVirtual().start(this::read);
    }

    private void read() {
        String type = "message";
        String id = null;
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                raw.add(line);
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(type, id, data.toString()));
                    }
                    type = "message";
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        } catch (RuntimeException closed) {
            // stream closed
        }
        ended = true;
    }

    /** The next event of {@code type}, skipping others (heartbeats), or null after the timeout. */
    public Event next(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e != null && e.type().equals(type)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
