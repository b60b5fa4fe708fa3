package parley.frontend.http;

import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import parley.contract.NotificationJson.Parsed;
import parley.frontend.live.LiveSink;

/**
 * A Server-Sent Events response: each notification is an event whose id is the stream's cursor, so
 * the browser resumes from it. A batch of notifications is written as one block and flushed once
 * (Javalin's {@code sendEvent} flushes every event). Writes come from the session's writer; the
 * lock only orders them with {@link #close}, which runs on a thread of its own.
 */
final class SseSink implements LiveSink {
    private final SseClient client;
    private boolean broken;

    SseSink(SseClient client) {
        this.client = client;
    }

    @Override
    public synchronized boolean send(List<Parsed> notifications, List<String> cursors) {
        if (broken || client.terminated()) {
            return false;
        }
        StringBuilder block = new StringBuilder(notifications.size() * 256);
        for (int i = 0; i < notifications.size(); i++) {
            block.append("event: notification\nid: ")
                    .append(cursors.get(i))
                    .append("\ndata: ")
                    .append(notifications.get(i).text())
                    .append("\n\n");
        }
        try {
            // the servlet's own stream, as Javalin's Emitter uses: ctx().outputStream() is Javalin's
            // compressing wrapper, which holds small writes back until it has enough to decide
            OutputStream out = client.ctx().res().getOutputStream();
            out.write(block.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException | RuntimeException gone) {
            broken = true;
            return false;
        }
    }

    @Override
    public String transport() {
        return "sse";
    }

    @Override
    public synchronized void reset() {
        quietly(() -> client.sendEvent(
                "reset", Map.of("reason", "your last id is older than the retained history; refetch the list")));
    }

    /** A heartbeat the page can see (an SSE comment would be invisible to EventSource). */
    @Override
    public synchronized boolean heartbeat(String at) {
        if (broken || client.terminated()) {
            return false;
        }
        return quietly(() -> client.sendEvent("heartbeat", Map.of("at", at))) && !client.terminated();
    }

    /** A {@code revoked} event (the page logs in again instead of reconnecting), then the end. */
    @Override
    public void revoke(String reason) {
        end("revoked", reason);
    }

    /** A {@code bye} event (the client reconnects), then the end. */
    @Override
    public void close(String reason) {
        end("bye", reason);
    }

    private synchronized void end(String event, String reason) {
        if (!client.terminated()) {
            if (!broken) {
                quietly(() -> client.sendEvent(event, Map.of("reason", reason)));
            }
            quietly(client::close);
        }
    }

    /** Writing to a connection that just went away must not disturb the caller. */
    private static boolean quietly(Runnable write) {
        try {
            write.run();
            return true;
        } catch (RuntimeException gone) {
            return false;
        }
    }
}
