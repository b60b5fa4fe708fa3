package parley.events;

import java.time.Instant;

/**
 * A durable fact appended to a Redis stream. Every event has a stable wire {@link #type()} (never a
 * Java class name), a unique {@link #eventId()} used for idempotency, and the instant it happened.
 */
public sealed interface DomainEvent
        permits UserRegistered, UserUpdated, UserDeleted, MessageSent, MessageRead, MessageDeleted {

    String eventId();

    Instant occurredAt();

    /** The stable name written to the stream's {@code type} field. */
    default String type() {
        return EventType.of(this).wire();
    }
}
