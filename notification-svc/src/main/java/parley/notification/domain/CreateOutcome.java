package parley.notification.domain;

/** What storing a notification did. */
public record CreateOutcome(Status status, Notification notification) {
    public enum Status {
        /** Stored and queued as pending. */
        CREATED,
        /** The event was processed before and its notification was delivered. */
        DUPLICATE,
        /** The event was processed before; its notification is still pending. */
        DUPLICATE_PENDING,
        /** The receiver is unsubscribed: nothing stored. */
        UNSUBSCRIBED,
        /** The event is older than the dedupe memory, so it may have been handled already: ignored. */
        EXPIRED
    }
}
