package parley.frontend.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.notification.v1.Notification;
import parley.runtime.http.Json;

/**
 * A notification as JSON with the fields, names and types of notification-svc's {@code GET
 * /list_notifications} entries. It is the data of an SSE {@code notification} event and the
 * Pub/Sub payload on {@code notify:{email}} (readable in {@code redis-cli SUBSCRIBE}): one such
 * object, or a JSON array of them, oldest first, when one push batch held several for the user. Jackson, not
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

    /** One notification as an object, several as an array of objects (a Pub/Sub payload). */
    public static String writeAll(List<Notification> notifications) {
        if (notifications.size() == 1) {
            return write(notifications.get(0));
        }
        try {
            return Json.mapper()
                    .writeValueAsString(
                            notifications.stream().map(NotificationJson::view).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("notifications could not be written as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not such a JSON object */
    public static Notification read(String json) {
        List<Notification> all = readAll(json);
        if (all.size() != 1) {
            throw new IllegalArgumentException("not a notification object");
        }
        return all.get(0);
    }

    /**
     * A Pub/Sub payload: one notification object or an array of them.
     *
     * @throws IllegalArgumentException when the text is neither
     */
    public static List<Notification> readAll(String json) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (n != null && n.isArray()) {
            List<Notification> out = new ArrayList<>(n.size());
            for (JsonNode item : n) {
                out.add(one(item));
            }
            return out;
        }
        return List.of(one(n));
    }

    private static Notification one(JsonNode n) {
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
