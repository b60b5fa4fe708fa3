package parley.notification.redis;

/** Every key notification-svc uses (Redis DB 2), built here only. */
public final class NotificationKeys {
    /** Hash email → "1" subscribed / "0" unsubscribed; absent means subscribed (the default). */
    public static final String SUBSCRIPTIONS = "subscriptions";
    /** Passed to create.lua for a notification without a source event: a key name, never stored. */
    public static final String NO_EVENT = "notification_event:";
    /** Set once every pending list of an older version was converted to a sorted set. */
    public static final String PENDING_MIGRATED = "migrations:pending_sorted_sets";

    private NotificationKeys() {}

    /** List of notification JSON, oldest first, bounded. */
    public static String notifications(String email) {
        return "notifications:" + email;
    }

    /** Sorted set of ids not yet delivered to a live connection, scored by the id's milliseconds. */
    public static String pending(String email) {
        return "notifications:" + email + ":pending";
    }

    /** Id of the newest notification trimmed from the list: a cursor older than it gets a reset. */
    public static String horizon(String email) {
        return "notifications:" + email + ":horizon";
    }

    /** Event id → notification id, so re-processing an event never creates a second one. */
    public static String byEvent(String eventId) {
        return "notification_event:" + eventId;
    }
}
