package parley.message.domain;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Where messages live. Each write and its event are one atomic step. */
public interface MessageStore {
    /**
     * Stores the message and its event atomically; does not wait (completes with the stored
     * message). With an idempotency key (null for none) already used by this sender in the last 24
     * hours, stores nothing and completes with the message stored then.
     */
    CompletableFuture<Message> send(String sender, String receiver, String content, Instant at, String idempotencyKey);

    Optional<Message> find(long id);

    /** The user's messages (or only those with {@code withEmail}), ids below {@code beforeId}. */
    MessagePage messages(String user, String withEmail, int pageSize, long beforeId);

    /** Conversations by newest activity, older than the {@code cursor} (a last-message id, 0 = start). */
    ConversationPage conversations(String user, int pageSize, long cursor);

    /** @return how many were unread */
    long markRead(String reader, String withEmail);

    /** @return false when it did not exist */
    boolean delete(Message message);

    /** The account of {@code email} was deleted at {@code at}: drop its indexes, remember when. */
    void forget(String email, Instant at);

    /** When an account of {@code email} was last deleted, if ever. */
    Optional<Instant> leftAt(String email);
}
