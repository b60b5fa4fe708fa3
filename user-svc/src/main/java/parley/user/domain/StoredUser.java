package parley.user.domain;

import java.time.Instant;

/**
 * An account as stored: with its password hash, which never leaves user-svc.
 *
 * @param tokenVersion the version its tokens carry (0 for an account from before versions); Redis
 *     assigns it when the account is written
 */
public record StoredUser(String name, String email, String passwordHash, Instant createdAt, long tokenVersion) {
    public StoredUser(String name, String email, String passwordHash, Instant createdAt) {
        this(name, email, passwordHash, createdAt, 0);
    }

    public User view() {
        return new User(name, email, createdAt);
    }
}
