package parley.notification.redis;

import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
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

/** Notifications in Redis DB 2: per-user bounded lists, pending lists, the subscriptions hash. */
public final class RedisNotificationStore implements NotificationStore {
    private static final LuaScript CREATE = LuaScript.fromResource(RedisNotificationStore.class, "create.lua");
    private static final LuaScript MARK_READ = LuaScript.fromResource(RedisNotificationStore.class, "mark_read.lua");
    private static final LuaScript MIGRATE_PENDING =
            LuaScript.fromResource(RedisNotificationStore.class, "migrate_pending.lua");
    private static final String ID_SLOT = "__ID__";

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisLink batched;
    private final NotificationKeys keys;
    private final int maxPerUser;
    private final Duration dedupeFor;

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
        return create(async, draft, eventId, onlyIfSubscribed);
    }

    @Override
    public CompletionStage<CreateOutcome> createBatched(Notification draft, String eventId) {
        return create(batched.async(), draft, eventId, true);
    }

    @Override
    public void flush() {
        batched.flushCommands();
    }

    private CompletionStage<CreateOutcome> create(
            RedisClusterAsyncCommands<String, String> on,
            Notification draft,
            String eventId,
            boolean onlyIfSubscribed) {
        String email = draft.receiverEmail();
        return CREATE.<List<Object>>runAsync(
                        on,
                        ScriptOutputType.MULTI,
                        List.of(
                                keys.byEvent(email, eventId),
                                keys.notifications(email),
                                keys.pending(email),
                                keys.horizon(email),
                                keys.subscriptions(email)),
                        List.of(
                                draft.id() == null ? "" : draft.id(),
                                NotificationMapping.toJson(draft, ID_SLOT),
                                email,
                                Integer.toString(maxPerUser),
                                Long.toString(dedupeFor.toSeconds()),
                                onlyIfSubscribed ? "1" : "0"))
                .thenApply(result -> outcome(result, draft)); // on a Redis I/O thread: no blocking calls here
    }

    private static CreateOutcome outcome(List<Object> result, Notification draft) {
        long status = (Long) result.get(0);
        String id = (String) result.get(1);
        return switch ((int) status) {
            case 1 ->
                new CreateOutcome(CreateOutcome.Status.CREATED, NotificationMapping.fromJson((String) result.get(2)));
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
