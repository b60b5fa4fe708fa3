package parley.user.domain;

import java.time.Instant;

/** An account as others may see it. */
public record User(String name, String email, Instant createdAt) {}
