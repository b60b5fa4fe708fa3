package parley.events;

import java.time.Instant;

/** A message was stored. {@code preview} is the start of its content, enough for a notification. */
public record MessageSent(
        String eventId, Instant occurredAt, long messageId, String senderEmail, String receiverEmail, String preview)
        implements DomainEvent {}
