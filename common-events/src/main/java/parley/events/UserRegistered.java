package parley.events;

import java.time.Instant;

/**
 * @param tokenVersion the account's token version ({@code token_version}): tokens of this email with
 *     a lower version (an earlier account under the same email) are no longer valid; 0 when unknown
 */
public record UserRegistered(String eventId, Instant occurredAt, String email, String name, long tokenVersion)
        implements DomainEvent {
    public UserRegistered(String eventId, Instant occurredAt, String email, String name) {
        this(eventId, occurredAt, email, name, 0);
    }
}
