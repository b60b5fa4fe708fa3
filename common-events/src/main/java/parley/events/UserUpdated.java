package parley.events;

import java.time.Instant;

public record UserUpdated(String eventId, Instant occurredAt, String email, String name) implements DomainEvent {}
