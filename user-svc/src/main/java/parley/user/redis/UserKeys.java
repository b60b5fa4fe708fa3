package parley.user.redis;

import parley.events.Streams;

/** Every key user-svc uses, built here only (a later Redis Cluster mode adds hash tags here). */
public final class UserKeys {
    /** Sorted set of every email (all scores 0), for listing in email order. */
    public static final String INDEX = "users";

    public static final String EVENTS = Streams.USERS;

    private UserKeys() {}

    /** JSON {@code {name, email, password: <bcrypt hash>, created_at}}. */
    public static String user(String email) {
        return "user:" + email;
    }

    /**
     * The email's token version (a counter): raised by registering, a new password and deleting;
     * tokens carry it as {@code ver}. Kept after a deletion, so a later account continues from it.
     */
    public static String tokenVersion(String email) {
        return "token_version:" + email;
    }

    /** Failed login count, expiring with the rate-limit window. */
    public static String loginFailures(String email) {
        return "login_failures:" + email;
    }
}
