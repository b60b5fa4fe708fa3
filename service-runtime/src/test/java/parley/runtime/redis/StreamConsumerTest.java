package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.events.EventCodec;
import parley.events.MessageSent;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class StreamConsumerTest {
    private static final String STREAM = "events:messages";
    private final TestRedis redis;
    private RedisConnections connections;
    private RedisClusterCommands<String, String> cmd;
    private StreamConsumer consumer;

    StreamConsumerTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void connect() {
        connections = new RedisConnections();
        cmd = connections.connect(redis.url(1)).sync();
    }

    @AfterEach
    void close() {
        if (consumer != null) {
            consumer.close();
        }
        connections.close();
    }

    private StreamConsumer start(String name, Duration claimIdle, StreamConsumer.EventHandler handler) {
        return start(name, claimIdle, Duration.ofHours(1), handler);
    }

    private StreamConsumer start(
            String name, Duration claimIdle, Duration forgetIdle, StreamConsumer.EventHandler handler) {
        RedisLink shared = connections.connect(redis.url(1));
        StreamConsumer c = new StreamConsumer(
                new StreamConsumer.Settings(
                        STREAM, "notification-svc", name, 10, Duration.ofMillis(100), claimIdle, forgetIdle, 3, 1000),
                connections.connectBlocking(redis.url(1), Duration.ofMillis(100)),
                shared,
                handler,
                new SimpleMeterRegistry());
        return c.start();
    }

    private static java.util.concurrent.CompletionStage<Runnable> done(Runnable then) {
        return java.util.concurrent.CompletableFuture.completedFuture(then);
    }

    private String append(long messageId) {
        return cmd.xadd(
                STREAM,
                EventCodec.encode(
                        new MessageSent(EventCodec.newEventId(), Instant.now(), messageId, "a@x.io", "b@x.io", "hi")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aConsumerGoneForGoodIsRemovedFromTheGroupOnceItHoldsNothing() {
        append(1);
        cmd.xgroupCreate(
                io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"),
                "notification-svc",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream(true));
        // an instance that read the entry and vanished (a container recreated under a new name)
        cmd.xreadgroup(
                io.lettuce.core.Consumer.from("notification-svc", "gone"),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(STREAM));
        List<Long> seen = new CopyOnWriteArrayList<>();

        consumer = start("live", Duration.ofMillis(300), Duration.ofMillis(600), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(seen).containsExactly(1L); // its entry was reclaimed first
            assertThat(cmd.xinfoConsumers(STREAM, "notification-svc"))
                    .hasSize(1)
                    .first()
                    .asString()
                    .contains("live");
        });
    }

    @Test
    void createsStreamAndGroupAndHandlesEveryEntryInOrderThenAcks() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(1);
        append(2);
        append(3);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
        assertThat(seen).containsExactly(1L, 2L, 3L);
        await().untilAsserted(() ->
                assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero());
    }

    @Test
    void aNewGroupStartsFromTheBeginningOfTheRetainedStream() {
        append(1);
        append(2);
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
    }

    @Test
    void anUndecodableEntryGoesToTheDeadLetterStreamAndProcessingGoesOn() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });
        String poison = cmd.xadd(STREAM, Map.of("type", "Garbage", "v", "1"));
        append(7);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(7L));
        var dead = cmd.xrange(STREAM + ":dead", io.lettuce.core.Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getBody()).containsEntry("dead_entry_id", poison);
        assertThat(dead.get(0).getBody().get("dead_reason")).contains("unknown event type 'Garbage'");
        assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero();
    }

    @Test
    void aFailingEntryIsRetriedAfterItIdlesThenDeadLetteredAfterMaxDeliveries() {
        AtomicInteger attempts = new AtomicInteger();
        consumer = start("c1", Duration.ofMillis(200), (id, e) -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        append(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> cmd.xlen(STREAM + ":dead") == 1);
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero();
    }

    @Test
    void anEntryWhoseWriteSaysTryAgainIsHandledAgainAtOnceNotLeftForReclaim() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        // claimIdle of an hour: only the consumer's own retry can get entry 2 through
        consumer = start("c1", Duration.ofHours(1), (id, e) -> {
            long m = ((MessageSent) e).messageId();
            if (m == 2 && attempts.incrementAndGet() <= 2) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new io.lettuce.core.RedisCommandExecutionException(
                                "TRYAGAIN Multiple keys request during rehashing of slot"));
            }
            seen.add(m);
            return done(null);
        });
        append(1);
        append(2);
        append(3);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
        assertThat(seen).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(attempts.get()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cmd.xpending(STREAM, "notification-svc").getCount() == 0);
        assertThat(cmd.xlen(STREAM + ":dead")).isZero();
    }

    @Test
    void aBatchCutShortByAnInterruptIsHandledAgainAtOnceNotLeftForReclaim() {
        // what the watchdog does to a consumer that was frozen (a long pause, kill -STOP): its
        // batch ends unacknowledged; the entries are its own pending ones and it goes on with them
        java.util.concurrent.CompletableFuture<Runnable> never = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger attempts = new AtomicInteger();
        List<Long> finished = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofHours(1), (id, e) -> {
            if (attempts.incrementAndGet() == 1) {
                return never; // the first attempt hangs until the interrupt
            }
            finished.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == 1);
        Thread consumerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("consumer-" + STREAM))
                .findFirst()
                .orElseThrow();
        consumerThread.interrupt();
        append(2);

        // long before claimIdle (an hour): re-read as its own pending entry, then the next one
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(finished).containsExactly(1L, 2L));
        await().untilAsserted(() ->
                assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero());
        assertThat(consumer.healthy()).isTrue();
    }

    @Test
    void theNextBatchIsReadWhileTheCurrentOneIsHandledAndHandedOverOnlyAfterIt() {
        // batches of 10: the first read takes 1..10; while 1 is still being handled, 11..15 are
        // already read (delivered to this consumer), but handed to the handler only after 1..10
        // are acknowledged and their after-ack steps ran
        for (long m = 1; m <= 15; m++) {
            append(m);
        }
        java.util.concurrent.CompletableFuture<Runnable> gate = new java.util.concurrent.CompletableFuture<>();
        List<Long> handed = new CopyOnWriteArrayList<>();
        List<Long> afterAck = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofHours(1), (id, e) -> {
            long m = ((MessageSent) e).messageId();
            handed.add(m);
            return m == 1 ? gate : done(() -> afterAck.add(m));
        });

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                cmd.xpending(STREAM, "notification-svc").getCount())
                        .isEqualTo(15));
        assertThat(handed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(afterAck).isEmpty();

        gate.complete(() -> afterAck.add(1L));
        await().atMost(Duration.ofSeconds(5)).until(() -> afterAck.size() == 15);
        assertThat(handed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(afterAck).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        await().untilAsserted(() ->
                assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero());
    }

    @Test
    void entriesArrivingOneAtATimeAreReadWithoutAReadAheadThatWouldFindNothing() {
        List<Long> handed = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofHours(1), (id, e) -> {
            handed.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> handed.size() == 1);

        long before = redis.commandCalls("xreadgroup");
        long started = System.nanoTime();
        for (long m = 1; m <= 30; m++) {
            append(m);
            long upTo = m + 1;
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> handed.size() == upTo);
        }
        long reads = redis.commandCalls("xreadgroup") - before;
        // one blocking read per entry, plus the reads that waited out their 100 ms block meanwhile
        // (and a reclaim's); a read-ahead after every lone entry would make it about twice that
        long idleReads = (System.nanoTime() - started) / Duration.ofMillis(100).toNanos() + 3;
        assertThat(reads).isLessThanOrEqualTo(30 + idleReads);
    }

    @Test
    void aBatchCutShortForgetsItsReadAheadWhoseEntriesAreHandledOnceFromThePendingList() {
        for (long m = 1; m <= 15; m++) {
            append(m);
        }
        java.util.concurrent.CompletableFuture<Runnable> never = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger firstOnes = new AtomicInteger();
        List<Long> handed = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofHours(1), (id, e) -> {
            long m = ((MessageSent) e).messageId();
            handed.add(m);
            return m == 1 && firstOnes.incrementAndGet() == 1 ? never : done(null);
        });
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                cmd.xpending(STREAM, "notification-svc").getCount())
                        .isEqualTo(15));
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("consumer-" + STREAM))
                .findFirst()
                .orElseThrow()
                .interrupt();

        // 1..10 again (handed, never acknowledged), then the read-ahead's 11..15 once, in order
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                cmd.xpending(STREAM, "notification-svc").getCount())
                        .isZero());
        assertThat(handed.subList(10, handed.size()))
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(consumer.healthy()).isTrue();
    }

    @Test
    void aFailedAsyncStageLeavesItsEntryPendingWhileTheRestOfTheBatchIsAcked() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(60), (id, e) -> {
            long m = ((MessageSent) e).messageId();
            if (m == 2) {
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("redis said no"));
            }
            seen.add(m);
            return done(null);
        });
        append(1);
        String failing = append(2);
        append(3);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        await().untilAsserted(() -> {
            var pending = cmd.xpending(
                    STREAM,
                    io.lettuce.core.Consumer.from("notification-svc", "c1"),
                    io.lettuce.core.Range.create("-", "+"),
                    io.lettuce.core.Limit.from(10));
            assertThat(pending).extracting(p -> p.getId()).containsExactly(failing);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void entriesLeftPendingByACrashedConsumerAreReclaimedByAnother() {
        // "crashed" reads entries and never acknowledges them
        append(1);
        append(2);
        cmd.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"), "notification-svc");
        cmd.xreadgroup(
                io.lettuce.core.Consumer.from("notification-svc", "crashed"),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(STREAM));
        assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isEqualTo(2);

        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("survivor", Duration.ofMillis(300), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactlyInAnyOrder(1L, 2L);
        await().untilAsserted(() ->
                assertThat(cmd.xpending(STREAM, "notification-svc").getCount()).isZero());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRestartedConsumerFinishesItsOwnPendingEntriesFirst() {
        append(1);
        cmd.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"), "notification-svc");
        cmd.xreadgroup(
                io.lettuce.core.Consumer.from("notification-svc", "me"),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(STREAM));

        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("me", Duration.ofSeconds(60), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.equals(List.of(1L)));
    }

    @Test
    void aConsumerStartedBeforeItsGroupCanBeCreatedKeepsTryingAndThenWorks() {
        cmd.set(STREAM, "not a stream"); // XGROUP CREATE fails (as it does while Redis is LOADING)
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });

        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> cmd.exists(STREAM) == 1);
        cmd.del(STREAM);
        append(5);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(5L));
    }

    @Test
    void theGroupIsCreatedAgainWhenItDisappears() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);

        cmd.del(STREAM);
        append(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(2L));
    }

    @Test
    void afterAckWorkRunsOnlyOnceTheEntryIsAcknowledged() {
        List<Long> pendingAtPush = new CopyOnWriteArrayList<>();
        consumer = start(
                "c1",
                Duration.ofSeconds(30),
                (id, e) -> done(() -> pendingAtPush.add(
                        cmd.xpending(STREAM, "notification-svc").getCount())));
        append(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> pendingAtPush.size() == 1);
        assertThat(pendingAtPush).containsExactly(0L);
    }

    @Test
    void deadLettersCanBeRedrivenToTheirStream() {
        cmd.xadd(STREAM + ":dead", Map.of("type", "MessageSent", "x", "1", "dead_reason", "r", "dead_entry_id", "1-0"));
        int moved = DeadLetters.redrive(cmd, STREAM, 10);

        assertThat(moved).isEqualTo(1);
        assertThat(cmd.xlen(STREAM + ":dead")).isZero();
        var entries = cmd.xrange(STREAM, io.lettuce.core.Range.create("-", "+"));
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getBody()).containsOnlyKeys("type", "x");
    }

    @Test
    @SuppressWarnings("unchecked")
    void ownPendingEntriesDeliveredTooOftenGoToDeadLettersAtStartInsteadOfLoopingForever() {
        String poison = append(1);
        cmd.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"), "notification-svc");
        // an entry that crashed the process each time it was read: delivered to "me" 3 times
        cmd.xreadgroup(
                io.lettuce.core.Consumer.from("notification-svc", "me"),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(STREAM));
        for (int i = 0; i < 2; i++) {
            cmd.xreadgroup(
                    io.lettuce.core.Consumer.from("notification-svc", "me"),
                    io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"));
        }
        List<Long> seen = new CopyOnWriteArrayList<>();

        consumer = start("me", Duration.ofSeconds(60), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(2);

        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(2L));
        assertThat(seen).containsExactly(2L);
        var dead = cmd.xrange(STREAM + ":dead", io.lettuce.core.Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getBody()).containsEntry("dead_entry_id", poison);
        assertThat(dead.get(0).getBody().get("dead_reason")).contains("giving up after 3 deliveries");
    }

    @Test
    void aConsumerStaysHealthyThroughAMissingGroupAndIsUnhealthyOnceClosed() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        consumer = start("c1", Duration.ofSeconds(30), (id, e) -> {
            seen.add(((MessageSent) e).messageId());
            return done(null);
        });
        append(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        assertThat(consumer.healthy()).isTrue();

        cmd.xgroupDestroy(STREAM, "notification-svc"); // NOGROUP on the next read
        cmd.set("blocker", "x");
        append(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(2L));
        assertThat(consumer.healthy()).isTrue();
        consumer.close();
        assertThat(consumer.healthy()).isFalse();
    }

    @Test
    void aPendingEntryTrimmedAwayIsAcknowledgedAndCountedNotSilentlyDropped() {
        var registry = new SimpleMeterRegistry();
        String gone = append(1);
        cmd.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(STREAM, "0-0"), "notification-svc");
        cmd.xreadgroup(
                io.lettuce.core.Consumer.from("notification-svc", "me"),
                io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(STREAM));
        cmd.xdel(STREAM, gone);
        consumer = new StreamConsumer(
                        new StreamConsumer.Settings(
                                STREAM,
                                "notification-svc",
                                "me",
                                10,
                                Duration.ofMillis(100),
                                Duration.ofSeconds(60),
                                Duration.ofHours(1),
                                3,
                                1000),
                        connections.connectBlocking(redis.url(1), Duration.ofMillis(100)),
                        connections.connect(redis.url(1)),
                        (id, e) -> done(null),
                        registry)
                .start();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> cmd.xpending(STREAM, "notification-svc").getCount() == 0);
        assertThat(registry.counter("parley.stream.lost", "stream", STREAM).count())
                .isEqualTo(1);
    }
}
