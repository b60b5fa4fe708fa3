package parley.notification.domain;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where notifications, pending lists and subscriptions live. */
public interface NotificationStore {
    /**
     * Stores a notification once per {@code eventId} (null = no dedupe) with the given id (null =
     * a fresh time-ordered one), unless {@code onlyIfSubscribed} and the receiver unsubscribed.
     * Does not wait for Redis: calls made back to back are pipelined.
     */
    CompletionStage<CreateOutcome> create(Notification draft, String eventId, boolean onlyIfSubscribed);

    /**
     * The stream consumer's create (only if subscribed): queued without being sent until {@link
     * #flush()}, so a whole batch of events leaves in one write. Call from one thread only.
     */
    CompletionStage<CreateOutcome> createBatched(Notification draft, String eventId);

    /** Sends what {@link #createBatched} queued. */
    void flush();

    /** Every retained notification, in list order. */
    List<Notification> all(String email);

    /** The ids not yet delivered to a live connection, in id order. */
    List<String> pendingIds(String email);

    /** {@link #pendingIds} without waiting for Redis. */
    CompletionStage<List<String>> pendingIdsAsync(String email);

    /** The id of the newest trimmed notification, if any were trimmed. */
    Optional<String> horizon(String email);

    long markAllRead(String email);

    long markRead(String email, List<String> ids);

    /** Marks read what {@code sender} sent up to message {@code upToMessageId}. */
    long markReadFrom(String email, String sender, long upToMessageId);

    /**
     * Removes delivered ids from the users' pending sets, all in one round trip, without waiting for
     * Redis; completes with how many left, or fails with UNAVAILABLE (the ids stay pending).
     */
    CompletionStage<Long> removePending(Map<String, List<String>> idsByUser);

    boolean subscribed(String email);

    void setSubscribed(String email, boolean subscribed);

    /** Forgets everything about a deleted user. */
    void forget(String email);
}
