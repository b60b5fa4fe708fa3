package parley.notification;

import java.time.Instant;
import parley.contract.NotificationJson;
import parley.notification.domain.Notification;

/**
 * The domain's notification to and from the contract's message, whose one JSON shape ({@link
 * NotificationJson}) every transport and the store use.
 */
public final class NotificationMapping {
    private NotificationMapping() {}

    public static parley.notification.v1.Notification toProto(Notification n) {
        return parley.notification.v1.Notification.newBuilder()
                .setId(n.id() == null ? "" : n.id())
                .setSenderEmail(n.senderEmail())
                .setReceiverEmail(n.receiverEmail())
                .setMessageId(n.messageId())
                .setPreview(n.preview())
                .setTimestamp(n.timestamp().toString())
                .setRead(n.read())
                .build();
    }

    public static Notification fromProto(parley.notification.v1.Notification n) {
        return new Notification(
                n.getId(),
                n.getSenderEmail(),
                n.getReceiverEmail(),
                n.getMessageId(),
                n.getPreview(),
                Instant.parse(n.getTimestamp()),
                n.getRead());
    }

    /** The notification as JSON, with {@code id} in place of its own. */
    public static String toJson(Notification n, String id) {
        return NotificationJson.write(toProto(n).toBuilder().setId(id).build());
    }

    /** @throws IllegalArgumentException when the text is not a notification record */
    public static Notification fromJson(String json) {
        return fromProto(NotificationJson.read(json));
    }
}
