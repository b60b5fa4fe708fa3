package parley.events;

import java.time.Instant;

public record MessageDeleted(
        String eventId, Instant occurredAt, long messageId, String senderEmail, String receiverEmail)
        implements DomainEvent {}
