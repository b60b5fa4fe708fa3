package parley.events;

/** Names of the Redis streams that carry domain events. */
public final class Streams {
    /** user-svc's stream (DB 0): UserRegistered, UserUpdated, UserDeleted. */
    public static final String USERS = "events:users";
    /** message-svc's stream (DB 1): MessageSent, MessageRead, MessageDeleted. */
    public static final String MESSAGES = "events:messages";

    private Streams() {}
}
