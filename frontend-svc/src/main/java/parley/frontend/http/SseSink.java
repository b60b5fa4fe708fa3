package parley.frontend.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.javalin.http.sse.SseClient;
import parley.frontend.live.LiveSink;
import parley.notification.v1.Notification;

/** A Server-Sent Events response: each notification is an event with its id, so the browser resumes from it. */
final class SseSink implements LiveSink {
  private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
  private final SseClient client;

  SseSink(SseClient client) {
    this.client = client;
  }

  @Override
  public synchronized boolean send(Notification n) {
    if (client.terminated()) {
      return false;
    }
    try {
      client.sendEvent("notification", JSON.print(n), n.getId());
    } catch (InvalidProtocolBufferException e) {
      return true;
    } catch (RuntimeException gone) {
      return false;
    }
    return !client.terminated();
  }

  @Override
  public synchronized void reset() {
    quietly(() -> client.sendEvent("reset", "{\"reason\":\"your last id is older than the retained history; refetch the list\"}"));
  }

  /** A heartbeat the page can see (an SSE comment would be invisible to EventSource). */
  synchronized boolean heartbeat(String at) {
    if (client.terminated()) {
      return false;
    }
    return quietly(() -> client.sendEvent("heartbeat", "{\"at\":\"" + at + "\"}")) && !client.terminated();
  }

  @Override
  public synchronized void close(String reason) {
    if (!client.terminated()) {
      quietly(() -> client.sendEvent("bye", "{\"reason\":\"" + reason.replace("\"", "'") + "\"}"));
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
