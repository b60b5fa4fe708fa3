package parley.message.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.runtime.redis.GroupCommit;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Forgetting a deleted account is safe when it happens late, after a new account wrote. */
@ExtendWith(RedisExtension.class)
class ForgetUserTest {
    private static final MessageKeys KEYS = new MessageKeys(false);

    private static final String FC = "fc@example.com";
    private static final String UNI = "uni@example.com";
    private static final String ANA = "ana@example.com";
    private static final Instant DELETED = Instant.parse("2026-11-24T10:00:00Z");
    private final TestRedis redis;
    private RedisConnections connections;
    private GroupCommit sends;
    private RedisMessageStore store;
    private RedisLink db;

    ForgetUserTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() {
        redis.flushAll();
        connections = new RedisConnections();
        db = connections.connect(redis.url(1));
        sends = new GroupCommit(connections.connect(redis.url(1)), "sends", 100, 100, new SimpleMeterRegistry());
        store = new RedisMessageStore(db, sends, KEYS, Clock.fixed(DELETED, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        sends.close();
        connections.close();
    }

    private long send(String from, String to, String text, Instant at) {
        return store.send(from, to, text, at, null).join().id();
    }

    @Test
    void aLateDeletionRemovesOnlyTheOldAccountsPartOfTheIndexes() {
        send(FC, UNI, "old 1", DELETED.minusSeconds(60));
        send(ANA, FC, "old 2", DELETED.minusSeconds(50));
        // the email registered again, and the new account wrote, before the deletion was handled
        long fresh = send(FC, UNI, "new", DELETED.plusSeconds(10));

        store.forget(FC, DELETED);

        assertThat(db.sync().zrange(KEYS.messages(FC), 0, -1)).containsExactly(Long.toString(fresh));
        // uni's conversation has the new message; ana's had only old ones
        assertThat(db.sync().zrange(KEYS.conversations(FC), 0, -1)).containsExactly(UNI);
        assertThat(store.leftAt(FC)).contains(DELETED);
        // the other parties keep their copies
        assertThat(db.sync().zcard(KEYS.messages(UNI))).isEqualTo(2);
        assertThat(db.sync().zrange(KEYS.conversations(ANA), 0, -1)).containsExactly(FC);
    }

    @Test
    void aDeletionHandledOnTimeRemovesEverythingAndAgainChangesNothing() {
        send(FC, UNI, "old", DELETED.minusSeconds(60));

        store.forget(FC, DELETED);
        store.forget(FC, DELETED); // a consumer retry

        assertThat(db.sync().exists(KEYS.messages(FC), KEYS.conversations(FC))).isZero();
        assertThat(store.leftAt(FC)).contains(DELETED);
    }
}
