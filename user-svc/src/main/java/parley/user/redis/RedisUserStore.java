package parley.user.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.UserDeleted;
import parley.events.UserRegistered;
import parley.events.UserUpdated;
import parley.runtime.http.Json;
import parley.runtime.redis.LuaScript;
import parley.user.domain.StoredUser;
import parley.user.domain.User;
import parley.user.domain.UserPage;
import parley.user.domain.UserStore;

/** Accounts in Redis DB 0; each write and its event go in one Lua script (one round trip). */
public final class RedisUserStore implements UserStore {
    private static final LuaScript CREATE = LuaScript.fromResource(RedisUserStore.class, "create.lua");
    private static final LuaScript UPDATE = LuaScript.fromResource(RedisUserStore.class, "update.lua");
    private static final LuaScript DELETE = LuaScript.fromResource(RedisUserStore.class, "delete.lua");

    private final RedisClusterCommands<String, String> redis;
    private final Clock clock;

    public RedisUserStore(RedisClusterCommands<String, String> redis, Clock clock) {
        this.redis = redis;
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
                        UserKeys.user(email),
                        UserKeys.INDEX,
                        UserKeys.EVENTS,
                        UserKeys.loginFailures(email),
                        UserKeys.tokenVersion(email)),
                args);
        return version == null ? -1 : version;
    }

    @Override
    public Optional<StoredUser> find(String email) {
        return Optional.ofNullable(redis.get(UserKeys.user(email))).map(RedisUserStore::fromJson);
    }

    @Override
    public boolean exists(String email) {
        return redis.exists(UserKeys.user(email)) == 1L;
    }

    @Override
    public UserPage list(int pageSize, String afterEmail) {
        Range<String> range = afterEmail.isEmpty()
                ? Range.unbounded()
                : Range.from(Range.Boundary.excluding(afterEmail), Range.Boundary.unbounded());
        List<String> emails = redis.zrangebylex(UserKeys.INDEX, range, Limit.create(0, pageSize + 1L));
        boolean more = emails.size() > pageSize;
        List<String> page = more ? emails.subList(0, pageSize) : emails;
        List<User> users = new ArrayList<>(page.size());
        if (!page.isEmpty()) {
            List<KeyValue<String, String>> values =
                    redis.mget(page.stream().map(UserKeys::user).toArray(String[]::new));
            for (var kv : values) {
                if (kv.hasValue()) {
                    users.add(fromJson(kv.getValue()).view());
                }
            }
        }
        return new UserPage(users, more ? page.get(page.size() - 1) : "");
    }

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
