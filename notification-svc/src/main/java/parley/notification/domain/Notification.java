package parley.notification.domain;

import java.time.Instant;

/** "sender wrote to receiver". {@code id} is ordered per user (see {@link parley.rules.NotificationIds}). */
public record Notification(
        String id,
        String senderEmail,
        String receiverEmail,
        long messageId,
        String preview,
        Instant timestamp,
        boolean read) {}
