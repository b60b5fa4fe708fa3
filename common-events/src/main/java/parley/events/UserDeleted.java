package parley.events;

import java.time.Instant;

public record UserDeleted(String eventId, Instant occurredAt, String email) implements DomainEvent {}
