package parley.events;

import java.time.Instant;

public record UserRegistered(String eventId, Instant occurredAt, String email, String name) implements DomainEvent {}
