package parley.runtime.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.config.Env;

/**
 * Keeps an event stream bounded without ever trimming an entry some consumer group has not read
 * and acknowledged. The producer appends without {@code MAXLEN}; every {@code interval} this
 * trims:
 *
 * <ol>
 *   <li>what every group has read and acknowledged and is older than {@code retention} ({@code
 *       XTRIM MINID ~}: below the oldest pending entry and below each group's last-delivered id);
 *   <li>when the stream is still longer than {@code maxLen}, the older part of what every group is
 *       done with, whatever its age, until it is short enough;
 *   <li>only when an operator set a hard bound ({@code forceMaxLen}) and the stream is longer
 *       still, unread or unacknowledged entries: a forced loss, which is counted ({@code
 *       parley_stream_trimmed_unread_total}) and logged with the ids removed.
 * </ol>
 *
 * Without a hard bound, a consumer that is down lets the stream grow (memory is the limit), and
 * nothing it has not read is ever lost.
 *
 * A stream without groups keeps entries for {@code retention} (and at most {@code maxLen}): a
 * group created later starts from what is retained. Several instances may run this at once.
 */
public final class StreamRetention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamRetention.class);
    /** The most entries one trim step removes. */
    static final long TRIM_STEP = 10_000;
    /** A smaller LIMIT may not cover one stream node (up to 100 entries), so it would remove nothing. */
    private static final long MIN_STEP = 100;
    /** Steps a pass takes at most (a million entries): the rest waits for the next pass. */
    private static final int MAX_STEPS = 100;

    /** How a stream is kept. */
    /**
     * @param maxLen the most entries kept once every group is done with them
     * @param forceMaxLen a hard bound that trims even unread entries (a counted loss), or 0 for none
     */
    public record Settings(String stream, Duration retention, long maxLen, long forceMaxLen, Duration interval) {
        /**
         * From {@code EVENTS_RETENTION_SECONDS} (default one day), {@code EVENTS_MAXLEN}, {@code
         * EVENTS_FORCE_MAXLEN} (default 0: never) and {@code EVENTS_TRIM_INTERVAL_MS} (default 5 s).
         */
        public static Settings from(Env env, String stream, long defaultMaxLen) {
            return new Settings(
                    stream,
                    env.seconds("EVENTS_RETENTION_SECONDS", DEFAULT_RETENTION),
                    env.positive("EVENTS_MAXLEN", (int) defaultMaxLen),
                    env.integer("EVENTS_FORCE_MAXLEN", 0, 0, Integer.MAX_VALUE),
                    env.millis("EVENTS_TRIM_INTERVAL_MS", Duration.ofSeconds(5)));
        }

        /**
         * The same for each stream {@code stream} is made of (its shards on a Redis Cluster), the
         * bounds split evenly between them.
         */
        public List<Settings> forEach(List<String> streams) {
            if (streams.size() == 1 && streams.get(0).equals(stream)) {
                return List.of(this);
            }
            long n = streams.size();
            return streams.stream()
                    .map(s -> new Settings(
                            s,
                            retention,
                            Math.max(1, maxLen / n),
                            forceMaxLen == 0 ? 0 : Math.max(1, forceMaxLen / n),
                            interval))
                    .toList();
        }
    }

    /** How long entries every group is done with are kept, unless EVENTS_RETENTION_SECONDS says otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);

    private final Settings settings;
    private final RedisClusterCommands<String, String> redis;
    private final Clock clock;
    private final Counter trimmed;
    private final Counter lost;
    private final StreamBacklog backlog;
    private final ScheduledExecutorService timer;

    public StreamRetention(Settings settings, RedisLink connection, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.redis = connection.sync();
        this.clock = clock;
        this.trimmed = Counter.builder("parley.stream.trimmed")
                .tag("stream", settings.stream())
                .description("entries trimmed that every group had read and acknowledged")
                .register(registry);
        this.lost = Counter.builder("parley.stream.trimmed_unread")
                .tag("stream", settings.stream())
                .description(
                        "entries trimmed before every group had read and acknowledged them (EVENTS_MAXLEN forced it): notifications lost")
                .register(registry);
        this.backlog = new StreamBacklog(settings.stream(), registry);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .daemon(true)
                .name("retention-" + settings.stream())
                .unstarted(r));
    }

    public StreamRetention start() {
        long every = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void runQuietly() {
        try {
            trim();
        } catch (RuntimeException e) {
            log.warn(
                    "{}: retention pass failed ({}); trying again in {} ms",
                    settings.stream(),
                    e.toString(),
                    settings.interval().toMillis());
        }
    }

    /** One pass; returns the number of entries trimmed. */
    public long trim() {
        String stream = settings.stream();
        if (redis.exists(stream) == 0) {
            backlog.update(0, List.of());
            return 0;
        }
        // one XINFO GROUPS a pass: trims do not change what the groups have read
        List<Map<String, Object>> groups =
                redis.xinfoGroups(stream).stream().map(XInfo::fields).toList();
        noticeTrimsByOthers(groups, true);
        Optional<StreamId> consumed = consumedBelow(groups);
        StreamId cutoff = new StreamId(clock.millis() - settings.retention().toMillis(), 0);
        long removed = trimBelow(
                consumed.map(c -> c.compareTo(cutoff) < 0 ? c : cutoff).orElse(cutoff));
        if (consumed.isPresent()) {
            removed += trimConsumedToLength(consumed.get());
        }
        if (removed > 0) {
            trimmed.increment(removed);
        }
        long length = redis.xlen(stream);
        if (settings.forceMaxLen() > 0 && length > settings.forceMaxLen()) {
            removed += forceTrim(length);
            noticeTrimsByOthers(groups, false); // counted already: only remember it
            length = redis.xlen(stream);
        }
        backlog.update(length, groups);
        return removed;
    }

    /**
     * Entries deleted before a group read them, by someone else than this pass (an operator's
     * {@code XTRIM}): counted in {@code parley_stream_trimmed_unread_total} and logged with the ids,
     * once. When a stream's first entry lies past a group's last-delivered id, every entry in it is
     * unread by that group, so entries added since the group's read position minus the stream's
     * length were deleted unread. What was reported is kept in the hash {@code
     * <stream>:trim_reported} (per group), so restarts and other instances do not count it again.
     */
    private void noticeTrimsByOthers(List<Map<String, Object>> groups, boolean count) {
        String stream = settings.stream();
        Map<String, Object> info = XInfo.fields(redis.xinfoStream(stream));
        Optional<StreamId> first = firstId().map(StreamId::parse);
        if (first.isEmpty() || !(info.get("entries-added") instanceof Number added)) {
            return;
        }
        long length = redis.xlen(stream);
        String reportedKey = stream + ":trim_reported";
        Map<String, String> reported = null;
        for (Map<String, Object> group : groups) {
            StreamId delivered = StreamId.parse(String.valueOf(group.get("last-delivered-id")));
            if (first.get().compareTo(delivered) <= 0 || !(group.get("entries-read") instanceof Number read)) {
                continue;
            }
            long lostSoFar = Math.max(0, added.longValue() - read.longValue() - length);
            String field = "lost:" + group.get("name");
            reported = reported == null ? redis.hgetall(reportedKey) : reported;
            long before = Long.parseLong(reported.getOrDefault(field, "0"));
            if (lostSoFar > before) {
                redis.hset(reportedKey, field, Long.toString(lostSoFar));
                if (count) {
                    lost.increment(lostSoFar - before);
                    log.error(
                            "{}: {} entries group {} had not read were deleted by someone else (an XTRIM?): ids after {} up to (not including) {};"
                                    + " their notifications are lost",
                            stream,
                            lostSoFar - before,
                            group.get("name"),
                            delivered,
                            first.get());
                }
            }
        }
    }

    /**
     * Over {@code maxLen}: drops the oldest of what every group is done with, whatever its age,
     * until the stream is short enough or nothing consumed is left, in {@linkplain #trimStep steps} of at most
     * {@link #TRIM_STEP} entries.
     */
    private long trimConsumedToLength(StreamId consumed) {
        long removed = 0;
        for (int step = 0; step < MAX_STEPS; step++) {
            long excess = redis.xlen(settings.stream()) - settings.maxLen();
            if (excess <= 0) {
                break;
            }
            long n = trimStep(consumed, excess);
            if (n == 0) {
                break;
            }
            removed += n;
        }
        return removed;
    }

    /** Everything below {@code below}, step by step. */
    private long trimBelow(StreamId below) {
        long removed = 0;
        for (int step = 0; step < MAX_STEPS; step++) {
            long n = trimStep(below, TRIM_STEP);
            if (n == 0) {
                break;
            }
            removed += n;
        }
        return removed;
    }

    /**
     * One {@code XTRIM MINID ~ below LIMIT n}: whole stream nodes below {@code below}, at most about
     * {@code n} entries (and at most {@link #TRIM_STEP}). Each step blocks Redis for well under a
     * millisecond, and other clients' commands run between steps; a single exact trim of tens of
     * thousands of entries blocked every client for 30 ms (in Redis' slow log under load).
     */
    private long trimStep(StreamId below, long atMost) {
        long limit = Math.max(MIN_STEP, Math.min(TRIM_STEP, atMost));
        return redis.xtrim(
                settings.stream(),
                XTrimArgs.Builder.minId(below.toString()).approximateTrimming().limit(limit));
    }

    /** EVENTS_FORCE_MAXLEN is smaller than what the groups still need: remove the oldest, loudly. */
    private long forceTrim(long length) {
        String stream = settings.stream();
        String first = firstId().orElse("?");
        long removed = redis.xtrim(stream, XTrimArgs.Builder.maxlen(settings.forceMaxLen()));
        String next = firstId().orElse("(none)");
        lost.increment(removed);
        log.error(
                "{}: {} entries were {} long, over the maximum of {}: trimmed {} entries some consumer group had not read or acknowledged,"
                        + " ids from {} up to (not including) {}; raise EVENTS_FORCE_MAXLEN or fix the lagging consumer",
                stream,
                stream,
                length,
                settings.forceMaxLen(),
                removed,
                first,
                next);
        return removed;
    }

    private Optional<String> firstId() {
        List<StreamMessage<String, String>> first =
                redis.xrange(settings.stream(), Range.create("-", "+"), Limit.from(1));
        return first.isEmpty() ? Optional.empty() : Optional.of(first.get(0).getId());
    }

    /**
     * The id below which every group has read and acknowledged every entry: the smallest of each
     * group's oldest pending id and the id after its last-delivered one. Empty without groups.
     */
    private Optional<StreamId> consumedBelow(List<Map<String, Object>> groups) {
        StreamId min = null;
        for (Map<String, Object> group : groups) {
            String name = String.valueOf(group.get("name"));
            StreamId below = StreamId.parse(String.valueOf(group.get("last-delivered-id")))
                    .next();
            if (group.get("pending") instanceof Number pending && pending.longValue() > 0) {
                PendingMessages summary = redis.xpending(settings.stream(), name);
                if (summary.getMessageIds().getLower().getValue() instanceof String oldest) {
                    StreamId p = StreamId.parse(oldest);
                    below = p.compareTo(below) < 0 ? p : below;
                }
            }
            min = min == null || below.compareTo(min) < 0 ? below : min;
        }
        return Optional.ofNullable(min);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** A stream entry id, {@code ms-seq}, ordered as Redis orders them. */
    record StreamId(long ms, long seq) implements Comparable<StreamId> {
        static StreamId parse(String id) {
            int dash = id.indexOf('-');
            return dash < 0
                    ? new StreamId(Long.parseLong(id), 0)
                    : new StreamId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
        }

        StreamId next() {
            return seq == Long.MAX_VALUE ? new StreamId(ms + 1, 0) : new StreamId(ms, seq + 1);
        }

        @Override
        public int compareTo(StreamId o) {
            int c = Long.compareUnsigned(ms, o.ms);
            return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
        }

        @Override
        public String toString() {
            return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
        }
    }
}
