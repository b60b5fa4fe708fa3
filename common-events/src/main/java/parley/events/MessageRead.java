package parley.events;

import java.time.Instant;

/** {@code readerEmail} read every message {@code withEmail} had sent them, up to {@code upToMessageId}. */
public record MessageRead(String eventId, Instant occurredAt, String readerEmail, String withEmail, long upToMessageId)
        implements DomainEvent {}
