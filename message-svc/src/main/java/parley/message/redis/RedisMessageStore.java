package parley.message.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.MessageDeleted;
import parley.events.MessageRead;
import parley.events.MessageSent;
import parley.events.Streams;
import parley.message.domain.Conversation;
import parley.message.domain.ConversationPage;
import parley.message.domain.Message;
import parley.message.domain.MessagePage;
import parley.message.domain.MessageStore;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.http.Json;
import parley.runtime.redis.GroupCommit;
import parley.runtime.redis.LuaScript;
import parley.runtime.redis.RedisLink;
import parley.runtime.tracing.Tracing;

/**
 * Messages in Redis (DB 1 standalone; a conversation's shard on a cluster). Writes are single Lua
 * scripts (message + event, one round trip). On a cluster the users' indexes are on their own
 * slots, kept from the events by {@link #project} (message-svc's projector group).
 */
public final class RedisMessageStore implements MessageStore {
    private static final int FORGET_PAGE = 500;
    /** How much of a message a MessageSent event (and so a notification) carries. */
    private static final LuaScript SEND = LuaScript.fromResource(RedisMessageStore.class, "send.lua");

    private static final LuaScript MARK_READ = LuaScript.fromResource(RedisMessageStore.class, "mark_read.lua");
    private static final LuaScript DELETE = LuaScript.fromResource(RedisMessageStore.class, "delete.lua");
    private static final LuaScript FORGET_USER = LuaScript.fromResource(RedisMessageStore.class, "forget_user.lua");
    private static final LuaScript SEND_CLUSTER = LuaScript.fromResource(RedisMessageStore.class, "send_cluster.lua");
    private static final LuaScript DELETE_CLUSTER =
            LuaScript.fromResource(RedisMessageStore.class, "delete_cluster.lua");
    private static final LuaScript INDEX_USER = LuaScript.fromResource(RedisMessageStore.class, "index_user.lua");
    /** Cluster ids count milliseconds from here (2026-01-01T00:00:00Z), see send_cluster.lua. */
    static final long ID_EPOCH_MS = 1_767_225_600_000L;

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final GroupCommit sends;
    private final MessageKeys keys;
    private final Clock clock;

    /**
     * @param sends where send.lua calls go: concurrent sends leave grouped, one write for many
     */
    public RedisMessageStore(RedisLink connection, GroupCommit sends, MessageKeys keys, Clock clock) {
        this.redis = connection.sync();
        this.async = connection.async();
        this.sends = sends;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Message> send(
            String sender, String receiver, String content, Instant at, String idempotencyKey) {
        MessageSent event =
                new MessageSent(EventCodec.newEventId(), at, 0, sender, receiver, MessageSent.previewOf(content));
        String a = sender.compareTo(receiver) < 0 ? sender : receiver;
        String b = a.equals(sender) ? receiver : sender;
        List<String> args = new ArrayList<>(List.of(
                keys.messagePrefix(sender, receiver), sender, receiver, content, at.toString(), a, b, "message_id"));
        Map<String, String> fields = withTraceparent(EventCodec.encode(event));
        LuaScript script;
        List<String> scriptKeys;
        if (keys.cluster()) {
            script = SEND_CLUSTER;
            args.addAll(List.of(
                    Integer.toString(MessageKeys.shard(sender, receiver)),
                    Integer.toString(Streams.SHARDS),
                    Long.toString(ID_EPOCH_MS),
                    idempotencyKey == null ? "0" : "1"));
            scriptKeys = List.of(
                    keys.counter(sender, receiver),
                    keys.conversation(sender, receiver),
                    keys.conversationMessages(sender, receiver),
                    keys.events(sender, receiver),
                    keys.idempotency(sender, receiver, idempotencyKey == null ? "" : idempotencyKey));
        } else {
            script = SEND;
            scriptKeys = List.of(
                    keys.counter(sender, receiver),
                    keys.conversation(sender, receiver),
                    keys.conversationMessages(sender, receiver),
                    keys.conversations(sender),
                    keys.conversations(receiver),
                    keys.messages(sender),
                    keys.messages(receiver),
                    keys.events(sender, receiver),
                    idempotencyKey == null
                            ? MessageKeys.NO_IDEMPOTENCY
                            : keys.idempotency(sender, receiver, idempotencyKey));
        }
        LuaScript.appendFields(args, fields);
        return sends.<List<Object>>submit(on -> script.runAsync(on, ScriptOutputType.MULTI, scriptKeys, args))
                .thenApply(reply -> {
                    long id = (Long) reply.get(0);
                    String stored = (String) reply.get(2);
                    // a retried key answers what the first attempt stored (its own data if since deleted)
                    return stored != null && !stored.isEmpty()
                            ? parse(stored)
                            : new Message(id, sender, receiver, content, at);
                });
    }

    @Override
    public void forget(String email, Instant at) {
        long newestOld = newestBefore(email, at);
        FORGET_USER.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(keys.messages(email), keys.conversations(email), keys.leftAt(email)),
                List.of(Long.toString(at.toEpochMilli()), Long.toString(newestOld)));
    }

    /**
     * The id of the newest message of {@code email} sent before {@code at} (0 for none): ids grow with
     * time, so the messages before it are a prefix of the user's index, read 500 at a time.
     */
    private long newestBefore(String email, Instant at) {
        long newest = 0;
        for (long offset = 0; ; offset += FORGET_PAGE) {
            List<String> ids = redis.zrange(keys.messages(email), offset, offset + FORGET_PAGE - 1);
            if (ids.isEmpty()) {
                return newest;
            }
            List<KeyValue<String, String>> stored = redis.mget(
                    ids.stream().map(id -> keys.message(Long.parseLong(id))).toArray(String[]::new));
            for (int i = 0; i < ids.size(); i++) {
                if (stored.get(i).hasValue()
                        && !parse(stored.get(i).getValue()).timestamp().isBefore(at)) {
                    return newest; // the new account's first message
                }
                newest = Long.parseLong(ids.get(i));
            }
        }
    }

    @Override
    public Optional<Instant> leftAt(String email) {
        return Optional.ofNullable(redis.get(keys.leftAt(email))).map(ms -> Instant.ofEpochMilli(Long.parseLong(ms)));
    }

    @Override
    public Optional<Message> find(long id) {
        return Optional.ofNullable(redis.get(keys.message(id))).map(RedisMessageStore::parse);
    }

    @Override
    public MessagePage messages(String user, String withEmail, int pageSize, long beforeId) {
        String key = withEmail == null ? keys.messages(user) : keys.conversationMessages(user, withEmail);
        Range<Long> range = Range.from(
                Range.Boundary.unbounded(),
                beforeId == Long.MAX_VALUE ? Range.Boundary.unbounded() : Range.Boundary.excluding(beforeId));
        List<String> ids = redis.zrevrangebyscore(key, range, Limit.create(0, pageSize + 1L));
        boolean more = ids.size() > pageSize;
        List<String> page = more ? ids.subList(0, pageSize) : ids;
        List<Message> messages = load(page);
        return new MessagePage(messages, more && !page.isEmpty() ? Long.parseLong(page.get(page.size() - 1)) : 0);
    }

    private List<Message> load(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Message> out = new ArrayList<>(ids.size());
        for (KeyValue<String, String> kv : redis.mget(
                ids.stream().map(id -> keys.message(Long.parseLong(id))).toArray(String[]::new))) {
            if (kv.hasValue()) {
                out.add(parse(kv.getValue()));
            }
        }
        return out;
    }

    @Override
    public ConversationPage conversations(String user, int pageSize, long cursor) {
        Range<Long> range = Range.from(
                Range.Boundary.unbounded(),
                cursor <= 0 ? Range.Boundary.unbounded() : Range.Boundary.excluding(cursor));
        List<ScoredValue<String>> partners =
                redis.zrevrangebyscoreWithScores(keys.conversations(user), range, Limit.create(0, pageSize + 1L));
        boolean more = partners.size() > pageSize;
        List<ScoredValue<String>> page = more ? partners.subList(0, pageSize) : partners;
        // one pipelined round trip for every conversation's hash
        List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>(page.size());
        for (ScoredValue<String> p : page) {
            hashes.add(async.hgetall(keys.conversation(user, p.getValue())));
        }
        List<Map<String, String>> metas = new ArrayList<>(page.size());
        List<String> lastIds = new ArrayList<>(page.size());
        for (RedisFuture<Map<String, String>> f : hashes) {
            Map<String, String> meta = await(f);
            metas.add(meta);
            lastIds.add(meta.getOrDefault("last_message_id", "0"));
        }
        List<Message> lasts = load(lastIds);
        Map<Long, Message> byId = new HashMap<>();
        lasts.forEach(m -> byId.put(m.id(), m));
        List<Conversation> conversations = new ArrayList<>(page.size());
        for (int i = 0; i < page.size(); i++) {
            Map<String, String> meta = metas.get(i);
            if (meta.isEmpty()) {
                continue;
            }
            conversations.add(new Conversation(
                    page.get(i).getValue(),
                    byId.get(Long.parseLong(lastIds.get(i))),
                    Long.parseLong(meta.getOrDefault("message_count", "0")),
                    Long.parseLong(meta.getOrDefault("unread:" + user, "0")),
                    Instant.parse(meta.getOrDefault("updated_at", Instant.EPOCH.toString()))));
        }
        String next = more && !page.isEmpty()
                ? Long.toString((long) page.get(page.size() - 1).getScore())
                : "";
        return new ConversationPage(conversations, next);
    }

    private static <T> T await(RedisFuture<T> future) {
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(ErrorCode.UNAVAILABLE, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new ServiceException(ErrorCode.UNAVAILABLE, "Redis did not answer: " + e.getMessage());
        }
    }

    @Override
    public long markRead(String reader, String withEmail) {
        MessageRead event = new MessageRead(EventCodec.newEventId(), clock.instant(), reader, withEmail, 0);
        List<String> args = new ArrayList<>(List.of(reader, "up_to_message_id"));
        LuaScript.appendFields(args, withTraceparent(EventCodec.encode(event)));
        Long unread = MARK_READ.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(keys.conversation(reader, withEmail), keys.events(reader, withEmail)),
                args);
        return unread == null ? 0 : unread;
    }

    @Override
    public boolean delete(Message m) {
        MessageDeleted event = new MessageDeleted(
                EventCodec.newEventId(), clock.instant(), m.id(), m.senderEmail(), m.receiverEmail());
        List<String> args = new ArrayList<>(List.of(Long.toString(m.id()), m.senderEmail(), m.receiverEmail()));
        LuaScript.appendFields(args, withTraceparent(EventCodec.encode(event)));
        String sender = m.senderEmail();
        String receiver = m.receiverEmail();
        Long done = keys.cluster()
                ? DELETE_CLUSTER.run(
                        redis,
                        ScriptOutputType.INTEGER,
                        List.of(
                                keys.message(m.id()),
                                keys.conversation(sender, receiver),
                                keys.conversationMessages(sender, receiver),
                                keys.events(sender, receiver)),
                        args)
                : DELETE.run(
                        redis,
                        ScriptOutputType.INTEGER,
                        List.of(
                                keys.message(m.id()),
                                keys.conversation(sender, receiver),
                                keys.conversationMessages(sender, receiver),
                                keys.messages(sender),
                                keys.messages(receiver),
                                keys.conversations(sender),
                                keys.conversations(receiver),
                                keys.events(sender, receiver)),
                        args);
        return done != null && done == 1L;
    }

    /** The event's fields, with the current trace's {@code traceparent}: the trace goes on through the entry. */
    private static Map<String, String> withTraceparent(Map<String, String> fields) {
        String traceparent = Tracing.traceparent();
        if (traceparent == null) {
            return fields;
        }
        Map<String, String> traced = new LinkedHashMap<>(fields);
        traced.put(Tracing.TRACEPARENT, traceparent);
        return traced;
    }

    /**
     * Cluster mode's projector: brings both parties' indexes (on their own slots) up to date with
     * one event of a conversation's shard. Idempotent; the scripts of the two parties travel
     * pipelined. Other events change no index.
     */
    public CompletableFuture<Void> project(DomainEvent event) {
        return switch (event) {
            case MessageSent e ->
                CompletableFuture.allOf(
                        index(e.senderEmail(), "sent", e.messageId(), e.receiverEmail(), e.occurredAt(), ""),
                        index(e.receiverEmail(), "sent", e.messageId(), e.senderEmail(), e.occurredAt(), ""));
            case MessageDeleted e ->
                async.hget(keys.conversation(e.senderEmail(), e.receiverEmail()), "last_message_id")
                        .toCompletableFuture()
                        .thenCompose(newest -> {
                            String now = newest == null ? "" : newest;
                            return CompletableFuture.allOf(
                                    index(
                                            e.senderEmail(),
                                            "deleted",
                                            e.messageId(),
                                            e.receiverEmail(),
                                            e.occurredAt(),
                                            now),
                                    index(
                                            e.receiverEmail(),
                                            "deleted",
                                            e.messageId(),
                                            e.senderEmail(),
                                            e.occurredAt(),
                                            now));
                        });
            default -> CompletableFuture.completedFuture(null);
        };
    }

    private CompletableFuture<Object> index(
            String user, String what, long id, String other, Instant at, String newest) {
        return INDEX_USER.runAsync(
                async,
                ScriptOutputType.INTEGER,
                List.of(keys.messages(user), keys.conversations(user), keys.leftAt(user)),
                List.of(what, Long.toString(id), other, Long.toString(at.toEpochMilli()), newest));
    }

    private static Message parse(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json);
            return new Message(
                    n.path("id").asLong(),
                    n.path("sender_email").asText(),
                    n.path("receiver_email").asText(),
                    n.path("content").asText(),
                    Instant.parse(n.path("timestamp").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt message record", e);
        }
    }
}
