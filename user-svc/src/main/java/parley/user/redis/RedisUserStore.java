package parley.user.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.UserDeleted;
import parley.events.UserRegistered;
import parley.events.UserUpdated;
import parley.runtime.http.Json;
import parley.runtime.redis.LuaScript;
import parley.runtime.redis.RedisLink;
import parley.user.domain.StoredUser;
import parley.user.domain.User;
import parley.user.domain.UserPage;
import parley.user.domain.UserStore;

/**
 * Accounts in Redis (DB 0 standalone; on a cluster, on their email's shard): each write and its
 * event go in one Lua script (one round trip) whose keys share one slot.
 */
public final class RedisUserStore implements UserStore {
    private static final LuaScript CREATE = LuaScript.fromResource(RedisUserStore.class, "create.lua");
    private static final LuaScript UPDATE = LuaScript.fromResource(RedisUserStore.class, "update.lua");
    private static final LuaScript DELETE = LuaScript.fromResource(RedisUserStore.class, "delete.lua");

    private final RedisLink link;
    private final RedisClusterCommands<String, String> redis;
    private final UserKeys keys;
    private final Clock clock;

    public RedisUserStore(RedisLink link, UserKeys keys, Clock clock) {
        this.link = link;
        this.redis = link.sync();
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public long create(StoredUser user) {
        return write(
                CREATE,
                user.email(),
                toJson(user),
                new UserRegistered(EventCodec.newEventId(), clock.instant(), user.email(), user.name()),
                null);
    }

    @Override
    public long update(StoredUser user, boolean newCredentials) {
        UserUpdated event = new UserUpdated(EventCodec.newEventId(), clock.instant(), user.email(), user.name());
        return write(UPDATE, user.email(), toJson(user), event, newCredentials ? "1" : "0");
    }

    @Override
    public long delete(String email) {
        return write(DELETE, email, "", new UserDeleted(EventCodec.newEventId(), clock.instant(), email), null);
    }

    /** Runs one of the account scripts; its event's token_version is added by the script. */
    private long write(LuaScript script, String email, String json, DomainEvent event, String flag) {
        List<String> args = new ArrayList<>(List.of(email, json));
        LuaScript.appendFields(args, EventCodec.encode(event));
        if (flag != null) {
            args.add(flag);
        }
        Long version = script.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(
                        keys.user(email),
                        keys.index(email),
                        keys.events(email),
                        keys.loginFailures(email),
                        keys.tokenVersion(email)),
                args);
        return version == null ? -1 : version;
    }

    @Override
    public Optional<StoredUser> find(String email) {
        return Optional.ofNullable(redis.get(keys.user(email))).map(RedisUserStore::fromJson);
    }

    @Override
    public boolean exists(String email) {
        return redis.exists(keys.user(email)) == 1L;
    }

    @Override
    public UserPage list(int pageSize, String afterEmail) {
        Range<String> range = afterEmail.isEmpty()
                ? Range.unbounded()
                : Range.from(Range.Boundary.excluding(afterEmail), Range.Boundary.unbounded());
        List<String> emails = firstEmails(range, pageSize + 1);
        boolean more = emails.size() > pageSize;
        List<String> page = more ? emails.subList(0, pageSize) : emails;
        List<User> users = new ArrayList<>(page.size());
        if (!page.isEmpty()) {
            List<KeyValue<String, String>> values =
                    redis.mget(page.stream().map(keys::user).toArray(String[]::new));
            for (var kv : values) {
                if (kv.hasValue()) {
                    users.add(fromJson(kv.getValue()).view());
                }
            }
        }
        return new UserPage(users, more ? page.get(page.size() - 1) : "");
    }

    /**
     * The first {@code count} emails in {@code range}, in email (byte) order: one index standalone;
     * on a cluster the first {@code count} of every shard's index, asked in one pipelined round and
     * merged.
     */
    private List<String> firstEmails(Range<String> range, int count) {
        List<String> indexes = keys.indexes();
        if (indexes.size() == 1) {
            return redis.zrangebylex(indexes.get(0), range, Limit.create(0, count));
        }
        List<CompletableFuture<List<String>>> pages = indexes.stream()
                .map(index -> link.async()
                        .zrangebylex(index, range, Limit.create(0, count))
                        .toCompletableFuture())
                .toList();
        return pages.stream()
                .flatMap(page -> page.join().stream())
                .sorted(BY_BYTES)
                .limit(count)
                .toList();
    }

    /** ZRANGEBYLEX's order: the UTF-8 bytes, unsigned. */
    private static final Comparator<String> BY_BYTES =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** The account's JSON without its closing brace: the script appends {@code token_version}. */
    private static String toJson(StoredUser user) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("name", user.name());
        node.put("email", user.email());
        node.put("password", user.passwordHash());
        node.put("created_at", user.createdAt().toString());
        String json = node.toString();
        return json.substring(0, json.length() - 1);
    }

    private static StoredUser fromJson(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json);
            return new StoredUser(
                    n.path("name").asText(),
                    n.path("email").asText(),
                    n.path("password").asText(),
                    Instant.parse(n.path("created_at").asText()),
                    n.path("token_version").asLong(0));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt user record", e);
        }
    }
}
