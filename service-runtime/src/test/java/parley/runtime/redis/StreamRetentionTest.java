package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Retention never trims what a group has not read and acknowledged, unless forced, and then loudly. */
@ExtendWith(RedisExtension.class)
class StreamRetentionTest {
    private static final String STREAM = "events:messages";
    private static final String GROUP = "notification-svc";
    private final TestRedis redis;
    private RedisConnections connections;
    private RedisLink connection;
    private RedisClusterCommands<String, String> cmd;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    StreamRetentionTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void connect() {
        connections = new RedisConnections();
        connection = connections.connect(redis.url(1));
        cmd = connection.sync();
    }

    @AfterEach
    void close() {
        connections.close();
    }

    private StreamRetention retention(Duration keep, long maxLen) {
        return retention(keep, maxLen, 0);
    }

    private StreamRetention retention(Duration keep, long maxLen, long forceMaxLen) {
        return new StreamRetention(
                new StreamRetention.Settings(STREAM, keep, maxLen, forceMaxLen, Duration.ofSeconds(5)),
                connection,
                Clock.systemUTC(),
                registry);
    }

    /** Entries with explicit old ids, so that "older than retention" needs no waiting. */
    private void appendOld(int count, long fromMs) {
        for (int i = 0; i < count; i++) {
            cmd.xadd(
                    STREAM,
                    new XAddArgs().id((fromMs + i) + "-0"),
                    Map.of("type", "MessageSent", "n", Integer.toString(i)));
        }
    }

    @SuppressWarnings("unchecked")
    private void readAndAck(int count, boolean ack) {
        var read = cmd.xreadgroup(
                Consumer.from(GROUP, "c1"), XReadArgs.Builder.count(count), StreamOffset.lastConsumed(STREAM));
        if (ack) {
            cmd.xack(STREAM, GROUP, read.stream().map(m -> m.getId()).toArray(String[]::new));
        }
    }

    private double lost() {
        return registry.counter("parley.stream.trimmed_unread", "stream", STREAM)
                .count();
    }

    @Test
    void entriesNoGroupHasReadAreKeptHoweverOld() {
        long dayAgo = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        appendOld(500, dayAgo);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));

        retention(Duration.ofHours(1), 1_000_000).trim();

        assertThat(cmd.xlen(STREAM)).isEqualTo(500);
    }

    @Test
    void oldEntriesEveryGroupAcknowledgedAreTrimmedButNotThosePendingOrUnread() {
        long dayAgo = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        appendOld(3000, dayAgo);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        readAndAck(1000, true);
        readAndAck(1000, false); // delivered, not acknowledged
        // 1000 never read

        retention(Duration.ofHours(1), 1_000_000).trim();

        var first = cmd.xrange(STREAM, Range.create("-", "+"), io.lettuce.core.Limit.from(1))
                .get(0)
                .getId();
        assertThat(Long.parseLong(first.substring(0, first.indexOf('-'))))
                .isLessThanOrEqualTo(dayAgo + 1000); // nothing pending trimmed
        assertThat(cmd.xlen(STREAM)).isGreaterThanOrEqualTo(2000).isLessThan(3000); // '~': whole nodes only
        assertThat(lost()).isZero();
    }

    @Test
    void recentEntriesAreKeptForTheRetentionTimeEvenWhenConsumed() {
        appendOld(200, System.currentTimeMillis() - 1000);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        readAndAck(200, true);

        retention(Duration.ofHours(1), 1_000_000).trim();

        assertThat(cmd.xlen(STREAM)).isEqualTo(200);
    }

    @Test
    void overTheLengthBoundConsumedEntriesGoFirstWhateverTheirAge() {
        appendOld(3000, System.currentTimeMillis() - 1000);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        readAndAck(2500, true);

        retention(Duration.ofHours(1), 1000).trim();

        assertThat(cmd.xlen(STREAM)).isBetween(500L, 1000L);
        assertThat(lost()).isZero();
    }

    @Test
    void aLargeTrimIsMadeInBoundedStepsNotOneCommandThatBlocksRedis() {
        int entries = 3 * (int) StreamRetention.TRIM_STEP + 2000;
        // pipelined: 32,000 entries one round trip at a time would take a while
        var async = connections.connect(redis.url(1)).async();
        long from = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        var adds = new java.util.ArrayList<io.lettuce.core.RedisFuture<String>>();
        for (int i = 0; i < entries; i++) {
            adds.add(async.xadd(STREAM, new XAddArgs().id((from + i) + "-0"), Map.of("n", Integer.toString(i))));
        }
        adds.forEach(f -> f.toCompletableFuture().join());
        cmd.xgroupCreate(StreamOffset.from(STREAM, "$"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        cmd.configResetstat();

        long removed = retention(Duration.ofHours(1), 1000).trim();

        assertThat(removed).isGreaterThan(entries - 1200L);
        assertThat(cmd.xlen(STREAM)).isLessThan(1200L);
        long calls = redis.commandCalls("xtrim");
        assertThat(calls)
                .as("XTRIM calls of at most %d entries each", StreamRetention.TRIM_STEP)
                .isGreaterThanOrEqualTo(entries / StreamRetention.TRIM_STEP);
    }

    @Test
    void theLengthBoundNeverTrimsUnreadEntries() {
        appendOld(3000, System.currentTimeMillis() - Duration.ofDays(2).toMillis());
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));

        retention(Duration.ofHours(1), 1000).trim();

        assertThat(cmd.xlen(STREAM)).isEqualTo(3000);
        assertThat(lost()).isZero();
    }

    @Test
    void aForcedTrimOfUnreadEntriesIsCounted() {
        appendOld(3000, System.currentTimeMillis() - 1000);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        readAndAck(1000, true);

        retention(Duration.ofHours(1), 1000, 1500).trim();

        assertThat(cmd.xlen(STREAM)).isEqualTo(1500);
        assertThat(lost()).isEqualTo(500); // the 1000 acknowledged went first, then 500 unread: counted
    }

    @Test
    void anOperatorsTrimOfUnreadEntriesIsCountedOnceNotSilent() {
        appendOld(100, System.currentTimeMillis() - 1000);
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        readAndAck(10, true);

        cmd.xtrim(STREAM, io.lettuce.core.XTrimArgs.Builder.maxlen(20)); // by hand: 70 unread entries gone
        StreamRetention retention = retention(Duration.ofHours(1), 1_000_000);
        retention.trim();
        retention.trim();
        new StreamRetention(
                        new StreamRetention.Settings(STREAM, Duration.ofHours(1), 1_000_000, 0, Duration.ofSeconds(5)),
                        connection,
                        Clock.systemUTC(),
                        registry)
                .trim(); // another instance, or a restart

        assertThat(lost()).isEqualTo(70);
        assertThat(cmd.xlen(STREAM)).isEqualTo(20);
    }

    @Test
    void eachPassReportsTheLengthAndEveryGroupsLagAndPendingAsTheProducerSeesThem() {
        // issue 14: the backlog behind a stopped consumer shows on the producer's /metrics
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), GROUP, XGroupCreateArgs.Builder.mkstream(true));
        cmd.xgroupCreate(StreamOffset.from(STREAM, "0-0"), "audit", XGroupCreateArgs.Builder.mkstream(true));
        StreamRetention retention = retention(Duration.ofDays(1), 1_000);
        appendOld(10, System.currentTimeMillis());
        retention.trim();
        assertThat(groupGauge("lag", GROUP)).isEqualTo(10);
        assertThat(groupGauge("lag", "audit")).isEqualTo(10);
        assertThat(registry.get("parley.stream.length")
                        .tag("stream", STREAM)
                        .gauge()
                        .value())
                .isEqualTo(10);

        readAndAck(4, true);
        readAndAck(3, false);
        retention.trim();
        assertThat(groupGauge("lag", GROUP)).isEqualTo(3);
        assertThat(groupGauge("pending", GROUP)).isEqualTo(3);
        assertThat(groupGauge("lag", "audit")).isEqualTo(10);

        cmd.xgroupDestroy(STREAM, "audit");
        retention.trim();
        assertThat(registry.find("parley.stream.group.lag")
                        .tag("group", "audit")
                        .gauge())
                .as("a group that is gone is no longer reported")
                .isNull();
    }

    private double groupGauge(String name, String group) {
        return registry.get("parley.stream.group." + name)
                .tags("stream", STREAM, "group", group)
                .gauge()
                .value();
    }
}
