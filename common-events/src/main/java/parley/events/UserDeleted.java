package parley.events;

import java.time.Instant;

/**
 * @param tokenVersion raised by the deletion: every token of the deleted account has a lower one and
 *     is no longer valid; 0 when unknown
 */
public record UserDeleted(String eventId, Instant occurredAt, String email, long tokenVersion) implements DomainEvent {
    public UserDeleted(String eventId, Instant occurredAt, String email) {
        this(eventId, occurredAt, email, 0);
    }
}
