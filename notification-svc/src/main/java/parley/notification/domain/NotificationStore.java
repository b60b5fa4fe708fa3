package parley.notification.domain;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.Optional;

/** Where notifications, pending lists and subscriptions live. */
public interface NotificationStore {
  /**
   * Stores a notification once per {@code eventId} (null = no dedupe) with the given id (null =
   * a fresh time-ordered one), unless {@code onlyIfSubscribed} and the receiver unsubscribed.
   * Does not wait for Redis: calls made back to back are pipelined.
   */
  CompletionStage<CreateOutcome> create(Notification draft, String eventId, boolean onlyIfSubscribed);

  /** Every retained notification, in list order. */
  List<Notification> all(String email);

  List<String> pendingIds(String email);

  /** The id of the newest trimmed notification, if any were trimmed. */
  Optional<String> horizon(String email);

  long markAllRead(String email);

  long markRead(String email, List<String> ids);

  /** Marks read what {@code sender} sent up to message {@code upToMessageId}. */
  long markReadFrom(String email, String sender, long upToMessageId);

  long removePending(String email, List<String> ids);

  boolean subscribed(String email);

  void setSubscribed(String email, boolean subscribed);

  /** Forgets everything about a deleted user. */
  void forget(String email);
}
