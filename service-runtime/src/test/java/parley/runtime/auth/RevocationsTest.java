package parley.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.XAddArgs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.events.EventCodec;
import parley.events.Streams;
import parley.events.UserDeleted;
import parley.events.UserRegistered;
import parley.events.UserUpdated;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Following a real events:users: what is learned, from how far back, and what is skipped. */
@ExtendWith(RedisExtension.class)
class RevocationsTest {
    private final TestRedis redis;
    private RedisConnections connections;
    private RedisLink db;
    private Revocations revocations;

    RevocationsTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void connect() {
        redis.flushAll();
        connections = new RedisConnections();
        db = connections.connect(redis.url(0));
    }

    @AfterEach
    void close() {
        if (revocations != null) {
            revocations.close();
        }
        connections.close();
    }

    private void add(String id, Map<String, String> fields) {
        db.sync().xadd(Streams.USERS, new XAddArgs().id(id), fields);
    }

    @Test
    void learnsTheLookBackWindowOfHistoryThenFollows() {
        long now = System.currentTimeMillis();
        // older than the window: its tokens have expired anyway
        add(
                (now - Duration.ofHours(2).toMillis()) + "-0",
                EventCodec.encode(new UserDeleted("e1", Instant.now(), "old@example.com", 9)));
        add(
                (now - Duration.ofMinutes(30).toMillis()) + "-0",
                EventCodec.encode(new UserDeleted("e2", Instant.now(), "bob@example.com", 3)));
        add((now - Duration.ofMinutes(29).toMillis()) + "-0", Map.of("type", "SomethingNew", "v", "1"));
        add(
                (now - Duration.ofMinutes(28).toMillis()) + "-0",
                EventCodec.encode(new UserRegistered("e3", Instant.now(), "new@example.com", "New")));

        revocations = Revocations.follow(
                connections.connectBlocking(redis.url(0), Duration.ofSeconds(1)),
                Duration.ofHours(1),
                Clock.systemUTC());
        List<String> told = new CopyOnWriteArrayList<>();
        revocations.onRevoked(told::add);
        await().atMost(Duration.ofSeconds(10)).until(revocations::caughtUp);
        told.clear(); // (the history may have been read before or after the listener was added)

        assertThat(revocations.revokes("old@example.com", 1)).isFalse();
        assertThat(revocations.revokes("bob@example.com", 2)).isTrue();
        assertThat(revocations.revokes("bob@example.com", 3)).isFalse();
        assertThat(revocations.revokes("new@example.com", 0)).isFalse(); // an event without a version raises nothing

        db.sync()
                .xadd(
                        Streams.USERS,
                        EventCodec.encode(new UserUpdated("e4", Instant.now(), "bob@example.com", "Bob", 5)));
        await().atMost(Duration.ofSeconds(10)).until(() -> revocations.revokes("bob@example.com", 4));
        assertThat(told).containsExactly("bob@example.com");
    }
}
