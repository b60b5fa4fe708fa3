package parley.user.domain;

import java.time.Instant;

/** An account as stored: with its password hash, which never leaves user-svc. */
public record StoredUser(String name, String email, String passwordHash, Instant createdAt) {
  public User view() {
    return new User(name, email, createdAt);
  }
}
