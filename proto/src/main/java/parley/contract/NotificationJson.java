package parley.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.notification.v1.Notification;

/**
 * The one JSON shape of a notification, beside the contract that defines its fields: an entry of
 * {@code GET /list_notifications}, the record stored at {@code notification:{id}}, the Pub/Sub
 * payload on {@code notify:{email}} (one object, or an array of them oldest first when one push
 * batch held several for the user) and the data of an SSE {@code notification} event. Jackson,
 * not protobuf's reflective JsonFormat: this runs for every notification on every instance.
 */
public final class NotificationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A notification with the exact text of its JSON object when it was read from JSON (an SSE
     * write passes that on as it is), or with {@code json} null when it came another way.
     */
    public record Parsed(Notification notification, String json) {
        public static Parsed of(Notification n) {
            return new Parsed(n, null);
        }

        /** Its JSON text: the text it was read from, or written now. */
        public String text() {
            return json != null ? json : write(notification);
        }

        public String id() {
            return notification.getId();
        }
    }

    private NotificationJson() {}

    /** The notification's fields, names and JSON types, in their documented order. */
    public static Map<String, Object> view(Notification n) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", n.getId());
        v.put("sender_email", n.getSenderEmail());
        v.put("receiver_email", n.getReceiverEmail());
        v.put("message_id", n.getMessageId());
        v.put("preview", n.getPreview());
        v.put("timestamp", n.getTimestamp());
        v.put("read", n.getRead());
        if (!n.getTraceparent().isEmpty()) {
            v.put("traceparent", n.getTraceparent()); // only on live deliveries while tracing is on
        }
        return v;
    }

    public static String write(Notification n) {
        return text(view(n));
    }

    /** One notification as an object, several as an array of objects (a Pub/Sub payload). */
    public static String writeAll(List<Notification> notifications) {
        return notifications.size() == 1
                ? write(notifications.get(0))
                : text(notifications.stream().map(NotificationJson::view).toList());
    }

    private static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a notification could not be written as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not one notification object */
    public static Notification read(String json) {
        List<Parsed> all = readAll(json);
        if (all.size() != 1) {
            throw new IllegalArgumentException("not a notification object");
        }
        return all.get(0).notification();
    }

    /**
     * A Pub/Sub payload: one notification object or an array of them, each with its own text (so
     * an SSE write passes it on without writing it again).
     *
     * @throws IllegalArgumentException when the text is neither
     */
    public static List<Parsed> readAll(String json) {
        try (JsonParser p = MAPPER.createParser(json)) {
            JsonToken first = p.nextToken();
            List<Parsed> out = new ArrayList<>();
            if (first == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    out.add(object(p, json));
                }
                if (p.currentToken() != JsonToken.END_ARRAY) {
                    throw new IllegalArgumentException("not a notification object");
                }
            } else if (first == JsonToken.START_OBJECT) {
                out.add(object(p, json));
            } else {
                throw new IllegalArgumentException("not a notification object");
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing text after the notification");
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    /** The object the parser stands at (its START_OBJECT), and its text. */
    private static Parsed object(JsonParser p, String json) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        JsonNode node = MAPPER.readTree(p);
        int end = (int) p.currentLocation().getCharOffset();
        return new Parsed(fromNode(node), json.substring(start, end));
    }

    private static Notification fromNode(JsonNode n) {
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
                .setTraceparent(n.path("traceparent").asText(""))
                .build();
    }
}
