package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.events.EventCodec;
import parley.events.MessageSent;
import parley.launcher.RedisServerProcess;
import parley.runtime.error.Unavailable;
import parley.testkit.TestRedisCluster;

/**
 * The Redis plumbing every service shares, in cluster mode against a real 3-master Redis Cluster:
 * routing by slot, scripts on one slot, pipelining, consumer groups with dead letters on a
 * hash-tagged stream, and sharded Pub/Sub.
 */
class ClusterConnectionsTest {
    private final TestRedisCluster cluster = TestRedisCluster.shared();
    private RedisConnections connections;
    private RedisLink link;
    private RedisClusterCommands<String, String> cmd;

    @BeforeEach
    void connect() {
        cluster.flushAll();
        connections = new RedisConnections(true);
        link = connections.connect(cluster.seeds());
        cmd = link.sync();
    }

    @AfterEach
    void close() {
        connections.close();
    }

    @Test
    void commandsAreRoutedByTheirKeysSlotAndAPipelinedBatchSpansEveryMaster() throws Exception {
        assertThat(link.cluster()).isTrue();
        assertThat(RedisConnections.ping(link)).isTrue();
        link.setAutoFlushCommands(false);
        List<RedisFuture<String>> sets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sets.add(link.async().set("k" + i, Integer.toString(i)));
        }
        link.flushCommands();
        link.setAutoFlushCommands(true);
        CompletableFuture.allOf(
                        sets.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            assertThat(cmd.get("k" + i)).isEqualTo(Integer.toString(i));
        }
        // every master holds some of them
        long withKeys = cluster.cluster().nodes().stream()
                .filter(n -> !cluster.cluster()
                        .cli(List.of("-p", Integer.toString(n.port()), "dbsize"))
                        .output()
                        .strip()
                        .equals("0"))
                .count();
        assertThat(withKeys).isEqualTo(3);
    }

    @Test
    void aScriptWhoseKeysShareAHashTagRunsOnTheirSlot() {
        LuaScript script = new LuaScript(
                "redis.call('SET', KEYS[1], ARGV[1]); redis.call('INCR', KEYS[2]); return redis.call('GET', KEYS[2])");
        assertThat(SlotHash.getSlot("a:{7}")).isEqualTo(SlotHash.getSlot("b:{7}"));
        Object result = script.run(cmd, ScriptOutputType.VALUE, List.of("a:{7}", "b:{7}"), List.of("x"));
        assertThat(result).isEqualTo("1");
        Object async = script.<String>runAsync(
                        link.async(), ScriptOutputType.VALUE, List.of("a:{7}", "b:{7}"), List.of("y"))
                .join();
        assertThat(async).isEqualTo("2");
        assertThat(cmd.get("a:{7}")).isEqualTo("y");
    }

    @Test
    void aConsumerGroupOnAHashTaggedStreamHandlesEntriesInOrderAndDeadLettersOnTheSameSlot() {
        String stream = "events:messages:{3}";
        List<Long> seen = new CopyOnWriteArrayList<>();
        StreamConsumer consumer = new StreamConsumer(
                new StreamConsumer.Settings(
                        stream,
                        "notification-svc",
                        "c1",
                        10,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(30),
                        Duration.ofHours(1),
                        3,
                        1000),
                connections.connectBlocking(cluster.seeds(), Duration.ofMillis(100)),
                connections.connect(cluster.seeds()),
                (id, e) -> {
                    seen.add(((MessageSent) e).messageId());
                    return CompletableFuture.completedFuture(null);
                },
                new SimpleMeterRegistry());
        try {
            consumer.start();
            String poison = cmd.xadd(stream, Map.of("type", "Garbage", "v", "1"));
            for (long id = 1; id <= 5; id++) {
                cmd.xadd(
                        stream,
                        EventCodec.encode(
                                new MessageSent(EventCodec.newEventId(), Instant.now(), id, "a@x.io", "b@x.io", "hi")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 5);
            assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
            await().atMost(Duration.ofSeconds(5)).until(() -> cmd.xlen(stream + ":dead") == 1);
            assertThat(cmd.xrange(stream + ":dead", io.lettuce.core.Range.create("-", "+"))
                            .get(0)
                            .getBody())
                    .containsEntry("dead_entry_id", poison);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> cmd.xpending(stream, "notification-svc").getCount() == 0);
        } finally {
            consumer.close();
        }
    }

    @Test
    void shardedPubSubReachesASubscriberOnTheNodeOwningTheChannel() {
        List<String> received = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<String, String> sub = connections.connectPubSub(cluster.seeds());
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                received.add(channel + "=" + message);
            }
        });
        List<String> channels = List.of("notify:{a@x.io}", "notify:{b@x.io}", "notify:{c@x.io}", "notify:{d@x.io}");
        for (String channel : channels) { // one call per channel: channels of several slots are CROSSSLOT
            sub.sync().ssubscribe(channel);
        }
        for (String channel : channels) {
            cmd.spublish(channel, "hi");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == channels.size());
        assertThat(received)
                .containsExactlyInAnyOrderElementsOf(
                        channels.stream().map(c -> c + "=hi").toList());
    }

    @Test
    void aScriptOnAHalfMigratedSlotFailsWithTryAgainWhichCountsAsUnavailable() {
        String a = "a:{moving}";
        String b = "b:{moving}";
        int slot = SlotHash.getSlot(a);
        var nodes = cluster.cluster().nodes();
        // the owner answers a plain (non -c) SET; the others answer MOVED
        var owner = nodes.stream()
                .filter(n -> cli(n.port(), "set", b, "1").equals("OK"))
                .findFirst()
                .orElseThrow();
        var target = nodes.stream().filter(n -> n != owner).findFirst().orElseThrow();
        cmd.set(a, "1");
        try {
            halfMigrate(slot, owner, target, a);
            LuaScript both = new LuaScript("return redis.call('MGET', KEYS[1], KEYS[2])");

            Throwable failure = catchThrowable(() -> both.run(cmd, ScriptOutputType.MULTI, List.of(a, b), List.of()));

            assertThat(failure).hasMessageStartingWith("TRYAGAIN");
            assertThat(Unavailable.is(failure)).isTrue();
            assertThat(Unavailable.is(new RedisCommandExecutionException("ERR unknown command")))
                    .isFalse();
        } finally {
            settle(slot);
        }
    }

    @Test
    void aCommandRedirectedWhileItsSlotMovesIsAnsweredOnALinkThatFlushesByHand() throws Exception {
        String a = "a:{moving}";
        int slot = SlotHash.getSlot(a);
        var nodes = cluster.cluster().nodes();
        var owner = nodes.stream()
                .filter(n -> cli(n.port(), "set", a, "1").equals("OK"))
                .findFirst()
                .orElseThrow();
        var target = nodes.stream().filter(n -> n != owner).findFirst().orElseThrow();
        RedisLink batched = connections.connect(cluster.seeds());
        batched.setAutoFlushCommands(false);
        RedisFuture<String> warm = batched.async().get(a);
        batched.flushCommands();
        assertThat(warm.get(5, TimeUnit.SECONDS)).isEqualTo("1");
        try {
            halfMigrate(slot, owner, target, a);

            // the owner answers ASK; lettuce writes the command again to the target, into the
            // connection's unflushed buffer: nothing else is ever flushed on this link
            RedisFuture<String> moved = batched.async().get(a);
            batched.flushCommands();

            assertThat(moved.get(3, TimeUnit.SECONDS)).isEqualTo("1");
        } finally {
            settle(slot);
        }
    }

    /**
     * Starts moving {@code slot} from {@code owner} to {@code target} (MIGRATING / IMPORTING) and
     * moves {@code key} alone, as {@code redis-cli --cluster reshard} does key by key.
     */
    private void halfMigrate(int slot, RedisServerProcess owner, RedisServerProcess target, String key) {
        String s = Integer.toString(slot);
        cli(target.port(), "cluster", "setslot", s, "importing", cli(owner.port(), "cluster", "myid"));
        cli(owner.port(), "cluster", "setslot", s, "migrating", cli(target.port(), "cluster", "myid"));
        cli(owner.port(), "migrate", "127.0.0.1", Integer.toString(target.port()), key, "0", "5000");
    }

    /** Ends a half-done move: the slot stays with its owner, and every key goes. */
    private void settle(int slot) {
        for (var n : cluster.cluster().nodes()) {
            cli(n.port(), "cluster", "setslot", Integer.toString(slot), "stable");
        }
        cluster.flushAll();
    }

    private String cli(int port, String... args) {
        List<String> all = new ArrayList<>(List.of("-p", Integer.toString(port)));
        all.addAll(List.of(args));
        return cluster.cluster().cli(all).output().strip();
    }
}
