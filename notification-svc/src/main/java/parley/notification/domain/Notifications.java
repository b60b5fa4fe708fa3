package parley.notification.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.events.MessageRead;
import parley.events.MessageSent;
import parley.events.UserDeleted;
import parley.rules.NotificationIds;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;

/** The notification rules: who is notified of what, listing with replay cursors, read and delivery state. */
public final class Notifications {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private final NotificationStore store;
    private final LivePush push;
    private final Clock clock;
    private final Counter expired;

    public Notifications(NotificationStore store, LivePush push, Clock clock) {
        this(store, push, clock, new SimpleMeterRegistry());
    }

    public Notifications(NotificationStore store, LivePush push, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.push = push;
        this.clock = clock;
        this.expired = Counter.builder("parley.notifications.expired")
                .description(
                        "events older than the dedupe memory (NOTIFICATION_DEDUPE_SECONDS), acknowledged without a notification")
                .register(registry);
    }

    /**
     * Applies one stream event. Completes with the push to run once the entry is acknowledged, if
     * any: a new notification (or one still pending from an earlier, interrupted attempt) is pushed
     * live. MessageSent does not wait for Redis, so a batch's notifications are stored pipelined.
     */
    public CompletionStage<Runnable> apply(String entryId, DomainEvent event) {
        return switch (event) {
            case MessageSent sent -> {
                Notification draft = new Notification(
                        entryId,
                        sent.senderEmail(),
                        sent.receiverEmail(),
                        sent.messageId(),
                        sent.preview(),
                        sent.occurredAt(),
                        false);
                yield store.createBatched(draft, sent.eventId()).thenApply(outcome -> switch (outcome.status()) {
                    case CREATED, DUPLICATE_PENDING -> (Runnable) () -> push.push(outcome.notification());
                    case DUPLICATE, UNSUBSCRIBED -> null;
                    case EXPIRED -> {
                        // never silent: it may have been notified long ago, or never (a consumer
                        // that lagged longer than the dedupe memory)
                        expired.increment();
                        log.warn(
                                "entry {} (event {}) is older than the dedupe memory: acknowledged without a notification",
                                entryId,
                                sent.eventId());
                        yield null;
                    }
                });
            }
            case MessageRead read -> {
                store.markReadFrom(read.readerEmail(), read.withEmail(), read.upToMessageId());
                yield CompletableFuture.completedFuture(null);
            }
            case UserDeleted deleted -> {
                store.forget(deleted.email());
                yield CompletableFuture.completedFuture(null);
            }
            default -> CompletableFuture.completedFuture(null);
        };
    }

    /** Sends the creates that {@link #apply} queued for the current consumer batch. */
    public void endOfBatch() {
        store.flush();
    }

    /** A direct notification (CreateNotification rpc): stored and pushed like one from an event. */
    public Notification create(String receiver, String sender, long messageId, String preview, boolean read) {
        String r = Validation.email("receiver_email", receiver);
        String s = Validation.email("sender_email", sender);
        if (messageId < 0) {
            throw ServiceException.invalid("message_id must not be negative");
        }
        String p = MessageSent.previewOf(preview);
        Notification draft = new Notification(null, s, r, messageId, p, clock.instant(), read);
        CreateOutcome outcome =
                store.create(draft, null, false).toCompletableFuture().join();
        push.push(outcome.notification());
        return outcome.notification();
    }

    public boolean subscribed(String email) {
        return store.subscribed(Validation.email("email", email));
    }

    public void setSubscribed(String email, boolean subscribed) {
        store.setSubscribed(Validation.email("email", email), subscribed);
    }

    /**
     * Notifications in id order: those after {@code afterId} (all when null and not {@code
     * includePending}), plus every pending one whatever its id when {@code includePending}; of those,
     * only the ones after {@code pageAfterId} (paging), at most {@code pageSize}, oldest first.
     */
    public NotificationList list(
            String email,
            boolean unreadOnly,
            String afterId,
            int pageSize,
            boolean includePending,
            String pageAfterId) {
        String e = Validation.email("email", email);
        int size = Validation.pageSize(pageSize, 100, 500);
        String after = cursor("after_id", afterId);
        String pageAfter = cursor("page_after_id", pageAfterId);
        List<Notification> all = store.all(e);
        Set<String> pending = includePending ? Set.copyOf(store.pendingIds(e)) : Set.of();
        Map<String, Notification> picked = new LinkedHashMap<>();
        long unread = 0;
        for (Notification n : all) {
            if (!n.read()) {
                unread++;
            }
            // a pending one was never shown, whatever the cursor says: pushes may arrive out of id order
            boolean afterCursor = after == null ? !includePending : NotificationIds.compare(n.id(), after) > 0;
            boolean wanted = afterCursor || pending.contains(n.id());
            boolean onPage = pageAfter == null || NotificationIds.compare(n.id(), pageAfter) > 0;
            if (wanted && onPage && (!unreadOnly || !n.read())) {
                picked.put(n.id(), n);
            }
        }
        List<Notification> out = new ArrayList<>(picked.values());
        out.sort(Comparator.comparing(Notification::id, NotificationIds.ORDER));
        if (out.size() > size) {
            out = out.subList(0, size);
        }
        boolean reset = false;
        if (after != null) {
            Optional<String> horizon = store.horizon(e);
            reset = horizon.isPresent() && NotificationIds.compare(after, horizon.get()) < 0;
        }
        return new NotificationList(List.copyOf(out), reset, unread);
    }

    public NotificationList list(
            String email, boolean unreadOnly, String afterId, int pageSize, boolean includePending) {
        return list(email, unreadOnly, afterId, pageSize, includePending, null);
    }

    static String cursor(String field, String id) {
        return id == null || id.isBlank() ? null : Validation.notificationId(field, id.trim());
    }

    public long markRead(String email, List<String> ids, boolean all) {
        String e = Validation.email("email", email);
        if (all) {
            return store.markAllRead(e);
        }
        if (ids == null || ids.isEmpty()) {
            throw ServiceException.invalid("give the ids to mark read, or all = true");
        }
        if (ids.size() > 500) {
            throw ServiceException.invalid("at most 500 ids at a time");
        }
        ids.forEach(id -> Validation.notificationId("ids", id));
        return store.markRead(e, ids);
    }

    /** One user's delivery ack: these ids, and every pending id up to {@code upToId} when given. */
    public record DeliveryAck(String email, List<String> ids, String upToId) {}

    /** Delivered: {@code ids} leave the pending list, and every pending id up to {@code upToId} when given. */
    public long ackDelivered(String email, List<String> ids, String upToId) {
        return ackDelivered(List.of(new DeliveryAck(email, ids, upToId)));
    }

    /** {@link #ackDeliveredAsync}, waited for (for callers on a thread that may block). */
    public long ackDelivered(List<DeliveryAck> acks) {
        try {
            return ackDeliveredAsync(acks).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /**
     * Many users' acks (one frontend-svc instance's, across users), removed in one round trip
     * without waiting for Redis. Bad input throws at once; a Redis failure fails the stage with
     * UNAVAILABLE (the ids stay pending).
     */
    public CompletionStage<Long> ackDeliveredAsync(List<DeliveryAck> acks) {
        if (acks.size() > 1000) {
            throw ServiceException.invalid("at most 1000 users' acks at a time");
        }
        Map<String, List<String>> remove = new LinkedHashMap<>();
        Map<String, String> upTo = new LinkedHashMap<>();
        int total = 0;
        for (DeliveryAck ack : acks) {
            String e = Validation.email("email", ack.email());
            if (ack.ids().size() > 1000) {
                throw ServiceException.invalid("at most 1000 ids at a time for one user");
            }
            total += ack.ids().size();
            ack.ids().forEach(id -> Validation.notificationId("ids", id));
            remove.computeIfAbsent(e, x -> new ArrayList<>()).addAll(ack.ids());
            if (ack.upToId() != null) {
                upTo.merge(
                        e,
                        Validation.notificationId("up_to_id", ack.upToId()),
                        (a, b) -> NotificationIds.compare(a, b) >= 0 ? a : b);
            }
        }
        if (total > 10_000) {
            throw ServiceException.invalid("at most 10000 ids in one call");
        }
        if (upTo.isEmpty()) {
            return store.removePending(remove);
        }
        // "every pending id up to": read those users' pending sets first (pipelined too)
        List<CompletableFuture<Void>> reads = new ArrayList<>(upTo.size());
        upTo.forEach((email, limit) -> reads.add(store.pendingIdsAsync(email)
                .thenAccept(pending -> {
                    List<String> older = pending.stream()
                            .filter(id -> NotificationIds.compare(id, limit) <= 0)
                            .toList();
                    synchronized (remove) {
                        remove.get(email).addAll(older);
                    }
                })
                .toCompletableFuture()));
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenCompose(done -> store.removePending(remove));
    }
}
