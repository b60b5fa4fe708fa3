package parley.frontend.http;

import io.javalin.http.sse.SseClient;
import java.util.Map;
import parley.frontend.live.LiveSink;
import parley.frontend.live.NotificationJson;
import parley.notification.v1.Notification;

/** A Server-Sent Events response: each notification is an event whose id is the stream's cursor, so the browser resumes from it. */
final class SseSink implements LiveSink {
  private final SseClient client;

  SseSink(SseClient client) {
    this.client = client;
  }

  @Override
  public synchronized boolean send(Notification n, String cursor) {
    if (client.terminated()) {
      return false;
    }
    return quietly(() -> client.sendEvent("notification", NotificationJson.write(n), cursor)) && !client.terminated();
  }

  @Override
  public synchronized void reset() {
    quietly(() -> client.sendEvent("reset", Map.of("reason", "your last id is older than the retained history; refetch the list")));
  }

  /** A heartbeat the page can see (an SSE comment would be invisible to EventSource). */
  synchronized boolean heartbeat(String at) {
    if (client.terminated()) {
      return false;
    }
    return quietly(() -> client.sendEvent("heartbeat", Map.of("at", at))) && !client.terminated();
  }

  @Override
  public synchronized void close(String reason) {
    if (!client.terminated()) {
      quietly(() -> client.sendEvent("bye", Map.of("reason", reason)));
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
