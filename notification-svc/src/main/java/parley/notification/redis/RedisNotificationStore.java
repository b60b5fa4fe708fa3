package parley.notification.redis;

import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import parley.notification.NotificationMapping;
import parley.notification.domain.CreateOutcome;
import parley.notification.domain.Notification;
import parley.notification.domain.NotificationStore;
import parley.rules.NotificationIds;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.redis.LuaScript;
import parley.runtime.redis.RedisLink;
import parley.runtime.tracing.Tracing;

/** Notifications in Redis DB 2: per-user bounded lists, pending lists, the subscriptions hash. */
public final class RedisNotificationStore implements NotificationStore {
    private static final LuaScript CREATE = LuaScript.fromResource(RedisNotificationStore.class, "create.lua");
    private static final LuaScript MARK_READ = LuaScript.fromResource(RedisNotificationStore.class, "mark_read.lua");
    private static final LuaScript MIGRATE_PENDING =
            LuaScript.fromResource(RedisNotificationStore.class, "migrate_pending.lua");
    private static final String ID_SLOT = "__ID__";
    /** Most notifications one create.lua run makes (its arguments are unpacked on Lua's C stack). */
    static final int PER_CALL = 200;

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisLink batched;
    private final NotificationKeys keys;
    private final int maxPerUser;
    private final Duration dedupeFor;
    /** {@link #createBatched} calls since the last {@link #flush}; the consumer thread's only. */
    private final List<Queued> queued = new ArrayList<>();

    /**
     * @param connection the service's shared connection
     * @param batched a connection for the stream consumer's writes only: they are queued without a
     *     flush and sent together by {@link #flush()}, one write per consumer batch
     */
    public RedisNotificationStore(
            RedisLink connection, RedisLink batched, NotificationKeys keys, int maxPerUser, Duration dedupeFor) {
        this.keys = keys;
        this.redis = connection.sync();
        this.async = connection.async();
        this.batched = batched;
        this.maxPerUser = maxPerUser;
        this.dedupeFor = dedupeFor;
        batched.setAutoFlushCommands(false);
    }

    /**
     * Converts pending lists left by an older version into sorted sets, once: a marker key makes
     * later starts skip the scan. Returns how many keys were converted.
     */
    public int migratePendingLists() {
        if (keys.cluster() || redis.exists(NotificationKeys.PENDING_MIGRATED) > 0) {
            return 0;
        }
        int converted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(
                    cursor,
                    KeyScanArgs.Builder.type("list")
                            .match("notifications:*:pending")
                            .limit(1000));
            for (String key : page.getKeys()) {
                MIGRATE_PENDING.run(redis, ScriptOutputType.INTEGER, List.of(key), List.of());
                converted++;
            }
            cursor = page;
        } while (!cursor.isFinished());
        redis.set(NotificationKeys.PENDING_MIGRATED, "1");
        return converted;
    }

    @Override
    public CompletionStage<CreateOutcome> create(Notification draft, String eventId, boolean onlyIfSubscribed) {
        Queued one = Queued.of(draft, eventId);
        run(async, draft.receiverEmail(), onlyIfSubscribed, List.of(one));
        return one.outcome();
    }

    @Override
    public CompletionStage<CreateOutcome> createBatched(Notification draft, String eventId) {
        Queued q = Queued.of(draft, eventId);
        queued.add(q);
        return q.outcome();
    }

    /**
     * One {@code create.lua} per receiver (at most {@link #PER_CALL} notifications each) for
     * everything queued since the last flush, in the order queued, then one write: a receiver's list
     * is read, appended to and trimmed once per batch, not once per notification.
     */
    @Override
    public void flush() {
        if (!queued.isEmpty()) {
            Map<String, List<Queued>> byReceiver = new LinkedHashMap<>();
            for (Queued q : queued) {
                byReceiver
                        .computeIfAbsent(q.draft().receiverEmail(), r -> new ArrayList<>())
                        .add(q);
            }
            queued.clear();
            RedisClusterAsyncCommands<String, String> on = batched.async();
            byReceiver.forEach((receiver, all) -> {
                for (int from = 0; from < all.size(); from += PER_CALL) {
                    run(on, receiver, true, all.subList(from, Math.min(all.size(), from + PER_CALL)));
                }
            });
        }
        batched.flushCommands();
    }

    /** One receiver's creates in one script run; completes each one's outcome from its answer. */
    private void run(
            RedisClusterAsyncCommands<String, String> on,
            String receiver,
            boolean onlyIfSubscribed,
            List<Queued> creates) {
        List<String> keyList = new ArrayList<>(4 + creates.size());
        keyList.add(keys.notifications(receiver));
        keyList.add(keys.pending(receiver));
        keyList.add(keys.horizon(receiver));
        keyList.add(keys.subscriptions(receiver));
        List<String> args = new ArrayList<>(4 + 2 * creates.size());
        args.add(receiver);
        args.add(Integer.toString(maxPerUser));
        args.add(Long.toString(dedupeFor.toSeconds()));
        args.add(onlyIfSubscribed ? "1" : "0");
        List<Context> traces = new ArrayList<>(creates.size());
        for (Queued q : creates) {
            keyList.add(keys.byEvent(receiver, q.eventId()));
            args.add(q.draft().id() == null ? "" : q.draft().id());
            args.add(NotificationMapping.toJson(q.draft(), ID_SLOT));
            if (q.trace() != null) {
                traces.add(q.trace());
            }
        }
        CREATE.<List<Object>>runAsync(on, ScriptOutputType.MULTI, keyList, args, traces)
                .whenComplete((result, error) -> { // on a Redis I/O thread: no blocking calls here
                    for (int i = 0; i < creates.size(); i++) {
                        Queued q = creates.get(i);
                        if (error != null) {
                            q.outcome().completeExceptionally(error);
                        } else {
                            try {
                                q.outcome().complete(outcome(result.subList(2 * i, 2 * i + 2), q.draft()));
                            } catch (RuntimeException e) {
                                q.outcome().completeExceptionally(e);
                            }
                        }
                    }
                });
    }

    /** A create waiting for its batch's flush, with the trace it belongs to (null when not tracing). */
    private record Queued(Notification draft, String eventId, CompletableFuture<CreateOutcome> outcome, Context trace) {
        /** Under the current trace (an entry's span, a request's). */
        static Queued of(Notification draft, String eventId) {
            return new Queued(draft, eventId, new CompletableFuture<>(), Tracing.enabled() ? Context.current() : null);
        }
    }

    private static CreateOutcome outcome(List<Object> result, Notification draft) {
        long status = (Long) result.get(0);
        String id = (String) result.get(1);
        return switch ((int) status) {
            // stored as the draft with this id: no need to read back what was written
            case 1 -> new CreateOutcome(CreateOutcome.Status.CREATED, withId(draft, id));
            case 2 -> new CreateOutcome(CreateOutcome.Status.UNSUBSCRIBED, null);
            case 4 -> new CreateOutcome(CreateOutcome.Status.EXPIRED, null);
            // the same event made it earlier: the same content, under the id it got then
            case 3 -> new CreateOutcome(CreateOutcome.Status.DUPLICATE_PENDING, withId(draft, id));
            default -> new CreateOutcome(CreateOutcome.Status.DUPLICATE, withId(draft, id));
        };
    }

    private static Notification withId(Notification n, String id) {
        return new Notification(
                id, n.senderEmail(), n.receiverEmail(), n.messageId(), n.preview(), n.timestamp(), n.read());
    }

    @Override
    public List<Notification> all(String email) {
        List<String> raw = redis.lrange(keys.notifications(email), 0, -1);
        List<Notification> out = new ArrayList<>(raw.size());
        raw.forEach(r -> out.add(NotificationMapping.fromJson(r)));
        return out;
    }

    @Override
    public List<String> pendingIds(String email) {
        List<String> ids = new ArrayList<>(redis.zrange(keys.pending(email), 0, -1));
        ids.sort(NotificationIds.ORDER); // the score orders by millisecond; this also orders within one
        return ids;
    }

    @Override
    public Optional<String> horizon(String email) {
        return Optional.ofNullable(redis.get(keys.horizon(email)));
    }

    @Override
    public long markAllRead(String email) {
        return mark(email, List.of("all", "", "0"));
    }

    @Override
    public long markRead(String email, List<String> ids) {
        List<String> args = new ArrayList<>(List.of("ids", "", "0"));
        args.addAll(ids);
        return mark(email, args);
    }

    @Override
    public long markReadFrom(String email, String sender, long upToMessageId) {
        return mark(email, List.of("sender", sender, Long.toString(upToMessageId)));
    }

    private long mark(String email, List<String> args) {
        Long marked = MARK_READ.run(redis, ScriptOutputType.INTEGER, List.of(keys.notifications(email)), args);
        return marked == null ? 0 : marked;
    }

    @Override
    public CompletionStage<List<String>> pendingIdsAsync(String email) {
        return async.zrange(keys.pending(email), 0, -1).thenApply(raw -> {
            List<String> ids = new ArrayList<>(raw);
            ids.sort(NotificationIds.ORDER);
            return ids;
        });
    }

    @Override
    public CompletionStage<Long> removePending(Map<String, List<String>> idsByUser) {
        // one ZREM per user, all pipelined: one round trip for a whole batch of acks, and no thread
        // waits for it (the rpc is answered from the Redis I/O thread)
        List<CompletableFuture<Long>> replies = new ArrayList<>(idsByUser.size());
        idsByUser.forEach((email, ids) -> {
            if (!ids.isEmpty()) {
                replies.add(async.zrem(keys.pending(email), ids.toArray(String[]::new))
                        .toCompletableFuture());
            }
        });
        // each command times out by itself (the connection's 5 s); no timer of our own
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .handle((done, error) -> {
                    if (error != null) {
                        // a caller may retry; the ids simply stay pending meanwhile
                        throw new ServiceException(
                                ErrorCode.UNAVAILABLE, "Redis did not answer in time; the ids stay pending, try again");
                    }
                    return replies.stream().mapToLong(CompletableFuture::join).sum();
                });
    }

    @Override
    public boolean subscribed(String email) {
        return !"0".equals(redis.hget(keys.subscriptions(email), email));
    }

    @Override
    public void setSubscribed(String email, boolean subscribed) {
        redis.hset(keys.subscriptions(email), email, subscribed ? "1" : "0");
    }

    @Override
    public void forget(String email) {
        redis.del(keys.notifications(email), keys.pending(email), keys.horizon(email));
        redis.hdel(keys.subscriptions(email), email);
    }
}
