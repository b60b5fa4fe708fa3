package parley.events;

import java.time.Instant;

/**
 * @param tokenVersion the account's token version after the change; a new password raises it, and
 *     tokens with a lower version are no longer valid; 0 when unknown
 */
public record UserUpdated(String eventId, Instant occurredAt, String email, String name, long tokenVersion)
        implements DomainEvent {
    public UserUpdated(String eventId, Instant occurredAt, String email, String name) {
        this(eventId, occurredAt, email, name, 0);
    }
}
