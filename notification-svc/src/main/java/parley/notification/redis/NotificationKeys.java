package parley.notification.redis;

/**
 * Every key notification-svc uses, built here only, in the layout of the Redis it runs on.
 *
 * <p>Standalone (DB 2): {@code notifications:<email>}, {@code notifications:<email>:pending},
 * {@code notifications:<email>:horizon}, {@code notification_event:<event_id>} and one {@code
 * subscriptions} hash.
 *
 * <p>Redis Cluster (SPEC §7.1): the receiver is the unit of atomicity, so every key carries the
 * receiver's email as its hash tag: {@code notifications:{<email>}} (and {@code :pending}, {@code
 * :horizon}), the dedupe key {@code notification_event:{<email>}:<event_id>} (dedupe is per
 * receiver) and {@code subscriptions:{<email>}}, a hash of the one email, so there is no hot key
 * shared by every user. Users spread over all 16384 slots.
 */
public final class NotificationKeys {
    /** Set once every pending list of an older version was converted to a sorted set (standalone only). */
    public static final String PENDING_MIGRATED = "migrations:pending_sorted_sets";

    private final boolean cluster;

    public NotificationKeys(boolean cluster) {
        this.cluster = cluster;
    }

    public boolean cluster() {
        return cluster;
    }

    private String user(String email) {
        return cluster ? "{" + email + "}" : email;
    }

    /** List of notification JSON, oldest first, bounded. */
    public String notifications(String email) {
        return "notifications:" + user(email);
    }

    /** Sorted set of ids not yet delivered to a live connection, scored by the id's milliseconds. */
    public String pending(String email) {
        return notifications(email) + ":pending";
    }

    /** Id of the newest notification trimmed from the list: a cursor older than it gets a reset. */
    public String horizon(String email) {
        return notifications(email) + ":horizon";
    }

    /**
     * Event id → notification id, so re-processing an event never creates a second one. Without an
     * event ({@code eventId} null), the bare prefix ending in {@code :}: a key name on the receiver's
     * slot that create.lua knows is never stored.
     */
    public String byEvent(String email, String eventId) {
        String prefix = cluster ? "notification_event:" + user(email) + ":" : "notification_event:";
        return eventId == null ? prefix : prefix + eventId;
    }

    /** Hash email → "1" subscribed / "0" unsubscribed; absent means subscribed (the default). */
    public String subscriptions(String email) {
        return cluster ? "subscriptions:" + user(email) : "subscriptions";
    }
}
