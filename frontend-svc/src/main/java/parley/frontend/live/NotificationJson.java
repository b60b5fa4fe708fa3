package parley.frontend.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import parley.notification.v1.Notification;
import parley.runtime.http.Json;

/**
 * A notification as JSON with the fields, names and types of notification-svc's {@code GET
 * /list_notifications} entries. It is the Pub/Sub payload on {@code notify:{email}} (readable in
 * {@code redis-cli SUBSCRIBE}) and the data of an SSE {@code notification} event. Jackson, not
 * protobuf's reflective JsonFormat: this runs for every notification on every instance.
 */
public final class NotificationJson {
  private NotificationJson() {}

  private static Map<String, Object> view(Notification n) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", n.getId());
    v.put("sender_email", n.getSenderEmail());
    v.put("receiver_email", n.getReceiverEmail());
    v.put("message_id", n.getMessageId());
    v.put("preview", n.getPreview());
    v.put("timestamp", n.getTimestamp());
    v.put("read", n.getRead());
    return v;
  }

  public static String write(Notification n) {
    try {
      return Json.mapper().writeValueAsString(view(n));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a notification could not be written as JSON", e);
    }
  }

  /** @throws IllegalArgumentException when the text is not such a JSON object */
  public static Notification read(String json) {
    JsonNode n;
    try {
      n = Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject() || !n.path("id").isTextual()) {
      throw new IllegalArgumentException("not a notification object");
    }
    return Notification.newBuilder()
        .setId(n.path("id").asText())
        .setSenderEmail(n.path("sender_email").asText())
        .setReceiverEmail(n.path("receiver_email").asText())
        .setMessageId(n.path("message_id").asLong())
        .setPreview(n.path("preview").asText())
        .setTimestamp(n.path("timestamp").asText())
        .setRead(n.path("read").asBoolean())
        .build();
  }
}
