package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

/**
 * The whole system with one Redis user per service, created from exactly the rules operators
 * apply (deploy/redis/acl-rules.txt): everything works, and each user is held to its own keys.
 */
@ExtendWith(RedisExtension.class)
class AclStackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestRedis redis;
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private ParleyStack stack;
    private SseClient events;

    AclStackTest(TestRedis redis) {
        this.redis = redis;
    }

    @AfterEach
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (stack != null) {
            stack.close();
        }
        try (var admin = redis.connect(0)) {
            passwords.keySet().forEach(admin.sync()::aclDeluser);
        }
    }

    private String url(String service, int db) {
        return "redis://" + service + ":" + passwords.get(service) + "@" + redis.host() + ":" + redis.port() + "/" + db;
    }

    @Test
    void everyServiceRunsAsItsOwnRedisUserHeldToItsKeys() throws Exception {
        try (var admin = redis.connect(0)) {
            for (String line : Files.readAllLines(Path.of("..", "deploy", "redis", "acl-rules.txt"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> words = words(line);
                String password = UUID.randomUUID().toString();
                passwords.put(words.get(0), password);
                CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8)
                        .add("SETUSER")
                        .add(words.get(0))
                        .add("on")
                        .add(">" + password);
                words.subList(1, words.size()).forEach(args::add);
                admin.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
            }
        }
        assertThat(passwords.keySet()).containsExactly("user-svc", "message-svc", "notification-svc", "frontend-svc");

        stack = new ParleyStack(redis, Map.of(), this::url);
        String uni = stack.register("uni@example.com");
        String fc = stack.register("fc@example.com");
        events = new SseClient(stack.frontendHttp, fc, null);
        assertThat(stack.send(uni, "fc@example.com", "hola under ACLs").status())
                .isEqualTo(201);
        SseClient.Event got = events.next("notification", WAIT);
        assertThat(got).isNotNull();
        assertThat(got.data()).contains("hola under ACLs");
        // an idempotent send, a read, and a revocation learned by every service from events:users
        assertThat(stack.web()
                        .send(
                                "POST",
                                "/api/messages",
                                HttpJson.obj("receiver_email", "fc@example.com", "content", "again"),
                                uni,
                                Map.of("Idempotency-Key", "k1"))
                        .status())
                .isEqualTo(201);
        assertThat(stack.web().get("/api/notifications", fc).status()).isEqualTo(200);
        assertThat(new HttpJson(stack.users.httpPort())
                        .put(
                                "/users/uni@example.com",
                                HttpJson.obj("password", "another-pass", "current_password", "secret-pass"),
                                uni)
                        .status())
                .isEqualTo(200);
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> stack.web().get("/api/conversations", uni).status() == 401);

        // an entry nobody can decode is dead-lettered under the rules (one script naming the stream
        // and its :dead stream), and leaves nothing pending
        try (var admin = redis.connect(1)) {
            String poison = admin.sync().xadd("events:messages", Map.of("type", "Garbage", "v", "1"));
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> admin.sync().xlen("events:messages:dead") == 1);
            assertThat(admin.sync()
                            .xrange("events:messages:dead", io.lettuce.core.Range.create("-", "+"))
                            .get(0)
                            .getBody())
                    .containsEntry("dead_entry_id", poison);
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> admin.sync()
                                    .xpending("events:messages", "notification-svc")
                                    .getCount()
                            == 0);
        }
        // the script selector does not let a script append to the stream: its commands are checked too
        RedisClient asNotification = RedisClient.create(url("notification-svc", 1));
        try (var c = asNotification.connect()) {
            assertThatThrownBy(() -> c.sync()
                            .eval(
                                    "return redis.call('XADD', KEYS[1], '*', 'type', 'forged')",
                                    io.lettuce.core.ScriptOutputType.STATUS,
                                    "events:messages",
                                    "events:messages:dead"))
                    .hasMessageContaining("can't access");
        } finally {
            asNotification.shutdown();
        }

        // each user is held to its own keys
        assertNoPermission("frontend-svc", 0, c -> c.sync().get("user:uni@example.com"));
        assertNoPermission("frontend-svc", 0, c -> c.sync().xadd("events:users", Map.of("type", "forged")));
        assertNoPermission("message-svc", 0, c -> c.sync().xadd("events:users", Map.of("type", "forged")));
        assertNoPermission("message-svc", 0, c -> c.sync().xtrim("events:users", 0));
        assertNoPermission("notification-svc", 1, c -> c.sync().xadd("events:messages", Map.of("type", "forged")));
        assertNoPermission("notification-svc", 0, c -> c.sync().del("events:users"));
        assertNoPermission("message-svc", 2, c -> c.sync().get("notifications:fc@example.com"));
        assertNoPermission("notification-svc", 1, c -> c.sync().get("message:1"));
        assertNoPermission("user-svc", 2, c -> c.sync().hgetall("subscriptions"));
        assertNoPermission("user-svc", 0, c -> c.sync().publish("notify:fc@example.com", "forged"));
    }

    /** The rule line's words; a (...) selector is one. */
    private static List<String> words(String line) {
        List<String> words = new java.util.ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\([^)]*\\)|\\S+").matcher(line.trim());
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    private void assertNoPermission(
            String service, int db, java.util.function.Consumer<StatefulRedisConnection<String, String>> command) {
        RedisClient client = RedisClient.create(url(service, db));
        try (var c = client.connect()) {
            assertThatThrownBy(() -> command.accept(c))
                    .as(service + " must be refused")
                    .hasMessageContaining("NOPERM");
        } finally {
            client.shutdown();
        }
    }
}
