package parley.message.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import parley.runtime.auth.Principal;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;
import parley.runtime.tracing.Tracing;

/** The messaging rules: who may send and read what, content limits, registered parties. */
public final class Messaging {
    private final MessageStore store;
    private final UserDirectory users;
    private final Clock clock;
    private final int maxContentBytes;

    public Messaging(MessageStore store, UserDirectory users, Clock clock, int maxContentBytes) {
        this.store = store;
        this.users = users;
        this.clock = clock;
        this.maxContentBytes = maxContentBytes;
    }

    /** Sends and waits: for callers on a thread that may block (the REST handlers). */
    public Message send(
            Principal caller, String senderEmail, String receiverEmail, String content, String idempotencyKey) {
        try {
            return sendAsync(caller, senderEmail, receiverEmail, content, idempotencyKey)
                    .join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Sends without blocking: input is checked at once (a bad one throws), the parties are checked
     * (cached, else one user-svc call), and the store's write is grouped with concurrent sends.
     */
    public CompletableFuture<Message> sendAsync(
            Principal caller, String senderEmail, String receiverEmail, String content, String idempotencyKey) {
        Checked checked = check(caller, senderEmail, receiverEmail, content, idempotencyKey);
        return checked.ready().thenCompose(ok -> checked.store());
    }

    /**
     * A send whose input was checked: {@code ready} completes once both parties are known to be
     * registered (or fails with the reason); then {@link #store} stores it.
     */
    public record Checked(CompletableFuture<Void> ready, Supplier<CompletableFuture<Message>> storer) {
        public CompletableFuture<Message> store() {
            return storer.get();
        }
    }

    /** The first half of a send, for callers that order the stores themselves (a bulk stream). */
    public Checked check(
            Principal caller, String senderEmail, String receiverEmail, String content, String idempotencyKey) {
        String sender = Validation.email("sender_email", senderEmail);
        String receiver = Validation.email("receiver_email", receiverEmail);
        if (!caller.mayActFor(sender)) {
            throw ServiceException.denied("you can only send messages as yourself (" + caller.subject() + ")");
        }
        if (sender.equals(receiver)) {
            throw ServiceException.invalid("sender and receiver must be different users");
        }
        String text = content(content);
        String key = idempotencyKey(idempotencyKey);
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        CompletableFuture<Void> ready = users.unregisteredAsync(List.of(sender, receiver))
                .thenAccept(missing -> {
                    if (!missing.isEmpty()) {
                        throw ServiceException.notFound("user not registered: " + String.join(", ", missing));
                    }
                });
        // the store runs once the parties are checked, on another thread: in this request's trace
        return new Checked(ready, Tracing.carry(() -> store.send(sender, receiver, text, at, key)));
    }

    public MessagePage messages(Principal caller, String userEmail, String withEmail, int pageSize, Long beforeId) {
        String user = self(caller, userEmail);
        String with = withEmail == null || withEmail.isBlank() ? null : Validation.email("with_email", withEmail);
        int size = Validation.pageSize(pageSize, 50, 100);
        if (beforeId != null && beforeId <= 0) {
            throw ServiceException.invalid("before_id must be a positive message id");
        }
        MessagePage page = store.messages(user, with, size, beforeId == null ? Long.MAX_VALUE : beforeId);
        // a new account under an email that was deleted does not inherit the old one's messages
        Optional<Instant> left = store.leftAt(user);
        if (left.isEmpty()) {
            return page;
        }
        List<Message> own = page.messages().stream()
                .filter(m -> !m.timestamp().isBefore(left.get()))
                .toList();
        // the rest is older still: no further page of this account's own
        return new MessagePage(own, own.size() < page.messages().size() ? 0 : page.nextBeforeId());
    }

    /** An account was deleted (UserDeleted): its indexes go; a new one under its email starts empty. */
    public void forgetUser(String email, Instant deletedAt) {
        store.forget(Validation.email("email", email), deletedAt);
    }

    public ConversationPage conversations(Principal caller, String userEmail, int pageSize, String pageToken) {
        String user = self(caller, userEmail);
        int size = Validation.pageSize(pageSize, 20, 100);
        long cursor = 0;
        if (pageToken != null && !pageToken.isBlank()) {
            try {
                cursor = Long.parseLong(pageToken.trim());
            } catch (NumberFormatException e) {
                throw ServiceException.invalid("page_token is not one this service gave out: '" + pageToken + "'");
            }
        }
        return store.conversations(user, size, cursor);
    }

    public long markRead(Principal caller, String userEmail, String withEmail) {
        String user = self(caller, userEmail);
        return store.markRead(user, Validation.email("with_email", withEmail));
    }

    public void delete(Principal caller, long id) {
        if (id <= 0) {
            throw ServiceException.invalid("id must be a positive message id");
        }
        Message message =
                store.find(id).orElseThrow(() -> ServiceException.notFound("message " + id + " does not exist"));
        if (!caller.isService() && !caller.subject().equalsIgnoreCase(message.senderEmail())) {
            throw ServiceException.denied("only the sender may delete message " + id);
        }
        if (!caller.isService()
                && store.leftAt(message.senderEmail())
                        .filter(left -> message.timestamp().isBefore(left))
                        .isPresent()) {
            // sent by an earlier, deleted account of this email: not the caller's
            throw ServiceException.notFound("message " + id + " does not exist");
        }
        if (!store.delete(message)) {
            throw ServiceException.notFound("message " + id + " does not exist");
        }
    }

    static String self(Principal caller, String userEmail) {
        String user = Validation.email("user_email", userEmail);
        if (!caller.mayActFor(user)) {
            throw ServiceException.denied("you may only read your own messages, not " + user + "'s");
        }
        return user;
    }

    /** Null for none; else 1 to 128 printable ASCII characters. */
    static String idempotencyKey(String key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        if (key.length() > 128 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ServiceException.invalid(
                    "the idempotency key must be 1 to 128 printable ASCII characters without spaces");
        }
        return key;
    }

    private String content(String content) {
        if (content == null || content.isBlank()) {
            throw ServiceException.invalid("content must not be empty");
        }
        int bytes = Validation.utf8Bytes("content", content);
        if (bytes > maxContentBytes) {
            throw ServiceException.invalid(
                    "content is " + bytes + " bytes; the limit is " + maxContentBytes + " bytes of UTF-8");
        }
        return content;
    }
}
