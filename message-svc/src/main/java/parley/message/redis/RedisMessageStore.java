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
import parley.events.EventCodec;
import parley.events.MessageDeleted;
import parley.events.MessageRead;
import parley.events.MessageSent;
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

/** Messages in Redis DB 1. Writes are single Lua scripts (message + event, one round trip). */
public final class RedisMessageStore implements MessageStore {
    private static final int FORGET_PAGE = 500;
    /** How much of a message a MessageSent event (and so a notification) carries. */
    private static final LuaScript SEND = LuaScript.fromResource(RedisMessageStore.class, "send.lua");

    private static final LuaScript MARK_READ = LuaScript.fromResource(RedisMessageStore.class, "mark_read.lua");
    private static final LuaScript DELETE = LuaScript.fromResource(RedisMessageStore.class, "delete.lua");
    private static final LuaScript FORGET_USER = LuaScript.fromResource(RedisMessageStore.class, "forget_user.lua");

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final GroupCommit sends;
    private final Clock clock;

    /**
     * @param sends where send.lua calls go: concurrent sends leave grouped, one write for many
     */
    public RedisMessageStore(RedisLink connection, GroupCommit sends, Clock clock) {
        this.redis = connection.sync();
        this.async = connection.async();
        this.sends = sends;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Message> send(
            String sender, String receiver, String content, Instant at, String idempotencyKey) {
        MessageSent event =
                new MessageSent(EventCodec.newEventId(), at, 0, sender, receiver, MessageSent.previewOf(content));
        String a = sender.compareTo(receiver) < 0 ? sender : receiver;
        String b = a.equals(sender) ? receiver : sender;
        List<String> args = new ArrayList<>(
                List.of(MessageKeys.MESSAGE_PREFIX, sender, receiver, content, at.toString(), a, b, "message_id"));
        Map<String, String> fields = EventCodec.encode(event);
        String traceparent = Tracing.traceparent(); // the trace goes on through the stream entry
        if (traceparent != null) {
            fields = new LinkedHashMap<>(fields);
            fields.put(Tracing.TRACEPARENT, traceparent);
        }
        LuaScript.appendFields(args, fields);
        List<String> keys = List.of(
                MessageKeys.COUNTER,
                MessageKeys.conversation(sender, receiver),
                MessageKeys.conversationMessages(sender, receiver),
                MessageKeys.conversations(sender),
                MessageKeys.conversations(receiver),
                MessageKeys.messages(sender),
                MessageKeys.messages(receiver),
                MessageKeys.EVENTS,
                idempotencyKey == null ? MessageKeys.NO_IDEMPOTENCY : MessageKeys.idempotency(sender, idempotencyKey));
        return sends.<List<Object>>submit(on -> SEND.runAsync(on, ScriptOutputType.MULTI, keys, args))
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
                List.of(MessageKeys.messages(email), MessageKeys.conversations(email), MessageKeys.leftAt(email)),
                List.of(Long.toString(at.toEpochMilli()), Long.toString(newestOld)));
    }

    /**
     * The id of the newest message of {@code email} sent before {@code at} (0 for none): ids grow with
     * time, so the messages before it are a prefix of the user's index, read 500 at a time.
     */
    private long newestBefore(String email, Instant at) {
        long newest = 0;
        for (long offset = 0; ; offset += FORGET_PAGE) {
            List<String> ids = redis.zrange(MessageKeys.messages(email), offset, offset + FORGET_PAGE - 1);
            if (ids.isEmpty()) {
                return newest;
            }
            List<KeyValue<String, String>> stored = redis.mget(
                    ids.stream().map(id -> MessageKeys.MESSAGE_PREFIX + id).toArray(String[]::new));
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
        return Optional.ofNullable(redis.get(MessageKeys.leftAt(email)))
                .map(ms -> Instant.ofEpochMilli(Long.parseLong(ms)));
    }

    @Override
    public Optional<Message> find(long id) {
        return Optional.ofNullable(redis.get(MessageKeys.message(id))).map(RedisMessageStore::parse);
    }

    @Override
    public MessagePage messages(String user, String withEmail, int pageSize, long beforeId) {
        String key = withEmail == null ? MessageKeys.messages(user) : MessageKeys.conversationMessages(user, withEmail);
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
                ids.stream().map(id -> MessageKeys.MESSAGE_PREFIX + id).toArray(String[]::new))) {
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
        List<ScoredValue<String>> partners = redis.zrevrangebyscoreWithScores(
                MessageKeys.conversations(user), range, Limit.create(0, pageSize + 1L));
        boolean more = partners.size() > pageSize;
        List<ScoredValue<String>> page = more ? partners.subList(0, pageSize) : partners;
        // one pipelined round trip for every conversation's hash
        List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>(page.size());
        for (ScoredValue<String> p : page) {
            hashes.add(async.hgetall(MessageKeys.conversation(user, p.getValue())));
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
        Map<String, String> fields = EventCodec.encode(event);
        String traceparent = Tracing.traceparent(); // the trace goes on through the stream entry
        if (traceparent != null) {
            fields = new LinkedHashMap<>(fields);
            fields.put(Tracing.TRACEPARENT, traceparent);
        }
        LuaScript.appendFields(args, fields);
        Long unread = MARK_READ.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(MessageKeys.conversation(reader, withEmail), MessageKeys.EVENTS),
                args);
        return unread == null ? 0 : unread;
    }

    @Override
    public boolean delete(Message m) {
        MessageDeleted event = new MessageDeleted(
                EventCodec.newEventId(), clock.instant(), m.id(), m.senderEmail(), m.receiverEmail());
        List<String> args = new ArrayList<>(List.of(Long.toString(m.id()), m.senderEmail(), m.receiverEmail()));
        Map<String, String> fields = EventCodec.encode(event);
        String traceparent = Tracing.traceparent(); // the trace goes on through the stream entry
        if (traceparent != null) {
            fields = new LinkedHashMap<>(fields);
            fields.put(Tracing.TRACEPARENT, traceparent);
        }
        LuaScript.appendFields(args, fields);
        Long done = DELETE.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(
                        MessageKeys.message(m.id()),
                        MessageKeys.conversation(m.senderEmail(), m.receiverEmail()),
                        MessageKeys.conversationMessages(m.senderEmail(), m.receiverEmail()),
                        MessageKeys.messages(m.senderEmail()),
                        MessageKeys.messages(m.receiverEmail()),
                        MessageKeys.conversations(m.senderEmail()),
                        MessageKeys.conversations(m.receiverEmail()),
                        MessageKeys.EVENTS),
                args);
        return done != null && done == 1L;
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
