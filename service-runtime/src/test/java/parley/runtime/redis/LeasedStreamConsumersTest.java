package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.events.EventCodec;
import parley.events.MessageSent;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/**
 * Shard leases on a real Redis: instances split the shards, each shard has one reader at a time
 * (so its entries are handled in order), a dead holder's shards and the entries it held are taken
 * over once its leases expire, and a stopping one gives its shards back at once.
 */
@ExtendWith(RedisExtension.class)
class LeasedStreamConsumersTest {
    private static final List<String> SHARDS = List.of("s:{0}", "s:{1}", "s:{2}", "s:{3}");
    private static final Duration TTL = Duration.ofMillis(900);
    private final TestRedis redis;
    private RedisConnections connections;
    private RedisClusterCommands<String, String> cmd;
    private final List<LeasedStreamConsumers> started = new ArrayList<>();
    // per shard, the message ids in the order the group handled them, and who handled each
    private final Map<String, List<Long>> handled = new ConcurrentHashMap<>();
    private final Map<Long, String> by = new ConcurrentHashMap<>();

    LeasedStreamConsumersTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void connect() {
        connections = new RedisConnections();
        cmd = connections.connect(redis.url(1)).sync();
    }

    @AfterEach
    void close() {
        started.forEach(LeasedStreamConsumers::close);
        connections.close();
    }

    private LeasedStreamConsumers start(String name, StreamConsumer.EventHandler handler) {
        RedisLink shared = connections.connect(redis.url(1));
        LeasedStreamConsumers l = LeasedStreamConsumers.start(
                shared,
                "g",
                name,
                "s",
                SHARDS,
                TTL,
                stream -> new StreamConsumer(
                        new StreamConsumer.Settings(
                                stream,
                                "g",
                                name,
                                10,
                                Duration.ofMillis(100),
                                Duration.ofHours(1),
                                Duration.ofHours(1),
                                3,
                                1000),
                        connections.connectBlocking(redis.url(1), Duration.ofMillis(100)),
                        shared,
                        handler,
                        new SimpleMeterRegistry()));
        started.add(l);
        return l;
    }

    private StreamConsumer.EventHandler recording(String name) {
        return (id, e) -> {
            record(name, (MessageSent) e);
            return CompletableFuture.completedFuture(null);
        };
    }

    private void record(String name, MessageSent e) {
        handled.computeIfAbsent(e.receiverEmail(), s -> new CopyOnWriteArrayList<>())
                .add(e.messageId());
        by.put(e.messageId(), name);
    }

    /** Appends message {@code id} to {@code shard}; its "receiver" names the shard, to group by. */
    private void append(String shard, long id) {
        cmd.xadd(
                shard,
                EventCodec.encode(new MessageSent(EventCodec.newEventId(), Instant.now(), id, "a@x.io", shard, "hi")));
    }

    @Test
    void twoInstancesSplitTheShardsAndEachShardIsHandledInOrderExactlyOnce() {
        LeasedStreamConsumers a = start("a", recording("a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.owned().size() == 4);
        LeasedStreamConsumers b = start("b", recording("b"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.owned().size() == 2 && b.owned().size() == 2);
        Set<String> all = new HashSet<>(a.owned());
        all.addAll(b.owned());
        assertThat(all).containsExactlyInAnyOrderElementsOf(SHARDS);
        assertThat(cmd.get(LeasedStreamConsumers.leaseKey("g", a.owned().get(0))))
                .isEqualTo("a");

        long id = 0;
        for (int round = 0; round < 50; round++) {
            for (String shard : SHARDS) {
                append(shard, ++id);
            }
        }
        long last = id;
        await().atMost(Duration.ofSeconds(10)).until(() -> by.size() == last);
        for (String shard : SHARDS) {
            List<Long> ids = handled.get(shard);
            assertThat(ids).as(shard).hasSize(50).isSorted();
            // one reader per shard: all of a shard's entries went to its lease holder
            assertThat(ids.stream().map(by::get).distinct().toList())
                    .as(shard)
                    .containsExactly(a.owned().contains(shard) ? "a" : "b");
        }
    }

    @Test
    void aDeadHoldersShardsAndTheEntriesItHeldAreTakenOverInOrderOnceItsLeasesExpire() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        LeasedStreamConsumers a = start("a", (id, e) -> {
            MessageSent m = (MessageSent) e;
            if (m.messageId() == 1) {
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        never.await(); // stuck: the process dies holding it
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            }
            record("a", m);
            return CompletableFuture.completedFuture(null);
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> a.owned().size() == 4);
        LeasedStreamConsumers b = start("b", recording("b"));
        append("s:{0}", 1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cmd.xpending("s:{0}", "g").getCount() == 1);

        a.abandon();
        append("s:{0}", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.owned().size() == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> by.size() == 2);

        assertThat(handled.get("s:{0}")).containsExactly(1L, 2L);
        assertThat(by).containsEntry(1L, "b").containsEntry(2L, "b");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cmd.xpending("s:{0}", "g").getCount() == 0);
        never.countDown();
    }

    @Test
    void aStoppingInstanceGivesItsShardsBackAtOnce() {
        LeasedStreamConsumers a = start("a", recording("a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.owned().size() == 4);
        LeasedStreamConsumers b = start("b", recording("b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.owned().size() == 2);
        List<String> given = a.owned();

        a.close();
        started.remove(a);
        // deleted, not left to expire
        for (String shard : given) {
            assertThat(cmd.get(LeasedStreamConsumers.leaseKey("g", shard))).isIn(null, "b");
        }
        assertThat(cmd.zrange("lease_holders:g:s", 0, -1)).containsExactly("b");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.owned().size() == 4);
        append("s:{3}", 7);
        await().atMost(Duration.ofSeconds(5)).until(() -> "b".equals(by.get(7L)));
        assertThat(b.healthy()).isTrue();
    }
}
