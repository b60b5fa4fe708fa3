package parley.runtime.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.runtime.Backoff;

/**
 * Reads one stream in a consumer group, in batches, on a dedicated connection — the loop of
 * spring-data-redis' StreamPollTask: poll with a timeout, handle each entry in its own try/catch,
 * acknowledge only after success, stop cleanly.
 *
 * <ul>
 *   <li>The stream and group are created at start when missing (group from the beginning of the
 *       retained stream, never {@code $}), and again after a {@code NOGROUP} error.
 *   <li>At start the consumer first re-reads its own pending entries (a restart after a crash).
 *   <li>It reads ahead: the next batch is asked for once the current one is handed over, and
 *       handed over itself only after the current one is acknowledged.
 *   <li>Entries idle in any consumer's pending list longer than {@code claimIdle} are taken over
 *       with {@code XAUTOCLAIM} and retried; one delivered more than {@code maxDeliveries} times,
 *       or that cannot be decoded, goes to the dead-letter stream with the reason and is acked.
 *   <li>Other consumers that hold nothing and have not read for {@code forgetIdle} are removed
 *       from the group (an instance gone for good, e.g. a container recreated under a new name).
 *   <li>Nothing ends the loop but {@link #close()}: every failure is retried with backoff; a
 *       watchdog restarts a dead thread and interrupts a stuck one, and {@link #healthy()} tells
 *       {@code /ready}. After a failed read or a batch cut short, the consumer re-reads its own
 *       pending entries first: what it was given and did not finish is handled at once, not after
 *       {@code claimIdle}.
 * </ul>
 */
public final class StreamConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /**
     * Handles one decoded event without blocking: every entry of a batch is handed over first and
     * awaited after, so their Redis calls travel pipelined. A failed stage (or a throw) leaves the
     * entry pending, to be retried later.
     */
    @FunctionalInterface
    public interface EventHandler {
        /**
         * @return completes with work to run once the entry is acknowledged (e.g. a push), or null
         */
        CompletionStage<Runnable> handle(String entryId, DomainEvent event);

        /** Every entry of a batch was handed over: send what was queued for it (one write). */
        default void endOfBatch() {}
    }

    /** How a consumer reads. */
    public record Settings(
            String stream,
            String group,
            String consumer,
            int batchSize,
            Duration block,
            Duration claimIdle,
            Duration forgetIdle,
            int maxDeliveries,
            long deadLetterMaxLen) {

        public String deadLetterStream() {
            return stream + ":dead";
        }
    }

    private final Settings settings;
    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final Consumer<String> me;
    private final StreamOffset<String> unread;
    /** Only the consumer thread uses it; volatile for a thread the watchdog starts anew. */
    private volatile RedisFuture<List<StreamMessage<String, String>>> readAhead;

    private final ConsumerGroup group;
    private final ConsumerBatch batch;
    private final PendingEntries pending;
    private final ScheduledExecutorService watchdog;
    private final Counter restarts;
    private volatile Thread thread;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean running = true;
    private volatile Instant lastClaim = Instant.EPOCH;
    private volatile boolean takeOverAtStart;

    /**
     * @param blocking a dedicated connection, used only by this consumer (it blocks); its owner closes
     *     it
     * @param shared the service's shared connection, for metrics gauges
     */
    public StreamConsumer(
            Settings settings, RedisLink blocking, RedisLink shared, EventHandler handler, MeterRegistry registry) {
        this.settings = settings;
        this.redis = blocking.sync();
        this.async = blocking.async();
        this.me = Consumer.from(settings.group(), settings.consumer());
        this.unread = StreamOffset.lastConsumed(settings.stream());
        this.group = new ConsumerGroup(settings, redis);
        DeadLetters deadLetters = new DeadLetters(settings, redis, registry);
        this.batch = new ConsumerBatch(settings, blocking.async(), handler, deadLetters, registry);
        this.pending = new PendingEntries(settings, redis, batch, deadLetters, this::progress, () -> running);
        String s = settings.stream();
        Gauge.builder("parley.stream.lag", () -> group.info(shared, "lag"))
                .tag("stream", s)
                .description("entries not yet delivered to the group")
                .register(registry);
        Gauge.builder("parley.stream.pending", () -> group.info(shared, "pending"))
                .tag("stream", s)
                .description("entries delivered but not acknowledged")
                .register(registry);
        this.restarts = Counter.builder("parley.stream.consumer_restarts")
                .tag("stream", s)
                .description("consumer threads restarted or interrupted by the watchdog (dead or stuck)")
                .register(registry);
        this.thread = newThread();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().daemon(true).name("consumer-watchdog-" + s).unstarted(r));
    }

    /**
     * Before reading anything new, takes over every entry another consumer of the group holds,
     * however briefly: for a consumer that was just given the stream (a shard lease, {@link
     * LeasedStreamConsumers}), whose previous holder stopped or died. Call before {@link #start}.
     */
    public StreamConsumer takingOverAtStart() {
        this.takeOverAtStart = true;
        return this;
    }

    public StreamConsumer start() {
        progress();
        thread.start();
        watchdog.scheduleWithFixedDelay(this::watch, 5, 5, TimeUnit.SECONDS);
        return this;
    }

    /**
     * The loop: every step (creating the group, re-reading own pending entries, reading, reclaiming)
     * fails into the same retry with backoff, so no error ends the thread. A missing group (NOGROUP)
     * takes that path too, and the next round creates the group again and re-reads own pending
     * entries. A watchdog restarts the thread if it dies anyway, and interrupts it when it stops
     * making progress.
     */
    @SuppressWarnings("unchecked") // lettuce's xreadgroup takes StreamOffset<K>... (generic varargs)
    private void run() {
        Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
        boolean groupReady = false;
        boolean ownPendingDone = false;
        // entries this consumer was given but did not finish (a batch cut short by the watchdog, a
        // read whose answer was lost) are its own pending ones: handled again on the next round,
        // not left for XAUTOCLAIM after claimIdle
        boolean rereadOwn = false;
        dropReadAhead(); // a dead thread's: this one starts by re-reading own pending entries
        while (running) {
            progress();
            try {
                // Redis may still be starting (or loading its data set): keep trying, the service stays up
                if (!groupReady) {
                    group.ensure();
                    groupReady = true;
                }
                if (!ownPendingDone) {
                    pending.processOwn();
                    if (takeOverAtStart) {
                        pending.reclaim(Duration.ZERO);
                    }
                    ownPendingDone = true;
                } else if (rereadOwn) {
                    pending.processOwn();
                }
                rereadOwn = false;
                if (Instant.now().isAfter(lastClaim.plus(settings.claimIdle().dividedBy(2)))) {
                    lastClaim = Instant.now();
                    pending.reclaim();
                    group.forgetGoneConsumers();
                }
                List<StreamMessage<String, String>> entries = readAhead != null ? takeReadAhead() : List.of();
                if (entries.isEmpty()) {
                    entries = redis.xreadgroup(
                            me, XReadArgs.Builder.count(settings.batchSize()).block(settings.block()), unread);
                }
                // a lone entry means the stream was drained: a read-ahead would mostly come back
                // empty and cost a round trip (and a wake-up of each side) per message under light load
                Runnable next = entries.size() > 1 ? this::readAhead : () -> {};
                if (!batch.process(entries, next)) {
                    Thread.interrupted(); // the watchdog's: the batch was cut short, go on with it
                    dropReadAhead();
                    rereadOwn = true;
                    continue;
                }
                backoff.reset();
            } catch (RuntimeException e) {
                dropReadAhead();
                rereadOwn = true;
                if (ConsumerGroup.isMissing(e)) {
                    log.warn("{}: group {} missing, creating it again", settings.stream(), settings.group());
                    groupReady = false;
                    ownPendingDone = false;
                }
                pause(backoff.next(), e);
            }
        }
    }

    /**
     * Read-ahead: once a batch has been handed over, the next one is asked for at once, without
     * blocking, so that its round trip overlaps the current batch's Redis work instead of following
     * it. Its entries are only handed over after the current batch is acknowledged and its
     * after-ack steps ran, so each receiver's order is kept. Under a steady load or a backlog that
     * saves a wait per batch; when it comes back empty the loop blocks as usual. Only after a batch
     * of more than one entry: a read that found one had drained the stream, and under light load
     * (one entry a read) the read-ahead came back empty nearly every time, one more round trip per
     * message for nothing.
     */
    @SuppressWarnings("unchecked") // lettuce's xreadgroup takes StreamOffset<K>... (generic varargs)
    private void readAhead() {
        readAhead = async.xreadgroup(me, XReadArgs.Builder.count(settings.batchSize()), unread);
    }

    /** The read-ahead's entries; a failure (timeout, interrupt) is the read's, as if read now. */
    private List<StreamMessage<String, String>> takeReadAhead() {
        RedisFuture<List<StreamMessage<String, String>>> read = readAhead;
        readAhead = null;
        return LettuceFutures.awaitOrCancel(
                read, settings.block().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Forgets a read-ahead after a batch was cut short or a step failed: whatever it read is in this
     * consumer's pending list, and the next round re-reads that list ({@code rereadOwn}) behind it
     * on the same connection, so those entries are handled once, in order, and not twice.
     */
    private void dropReadAhead() {
        readAhead = null;
    }

    private void progress() {
        lastProgress = System.nanoTime();
    }

    /** Waits before the next attempt; an interrupt from the watchdog only cuts the wait short. */
    private void pause(Duration wait, RuntimeException e) {
        if (!running) {
            return;
        }
        log.warn("{}: reading failed ({}), retrying in {} ms", settings.stream(), e.toString(), wait.toMillis());
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
            // close() sets running first; otherwise the watchdog woke a stuck read: go on
        }
    }

    /**
     * Whether the consumer is working: its thread is alive and went round its loop lately (a read
     * blocks at most {@code block}; a batch waits at most the handler timeout).
     */
    public boolean healthy() {
        return running && thread.isAlive() && !stuck();
    }

    private boolean stuck() {
        return System.nanoTime() - lastProgress > stuckAfter().toNanos();
    }

    private Duration stuckAfter() {
        return settings.block().plus(ConsumerBatch.HANDLER_TIMEOUT).plusSeconds(30);
    }

    /** Restarts a dead consumer thread; interrupts one that stopped making progress. */
    private void watch() {
        if (!running) {
            return;
        }
        if (!thread.isAlive()) {
            restarts.increment();
            log.error("{}: the consumer thread died; starting it again", settings.stream());
            progress();
            thread = newThread();
            thread.start();
        } else if (stuck()) {
            restarts.increment();
            log.error(
                    "{}: the consumer made no progress for {} s; interrupting it",
                    settings.stream(),
                    stuckAfter().toSeconds());
            thread.interrupt();
        }
    }

    private Thread newThread() {
        return Thread.ofPlatform()
                .name("consumer-" + settings.stream())
                .daemon(true)
                .unstarted(this::run);
    }

    /**
     * Stops the loop and waits up to one block interval plus 5 s for it to end its current read and
     * batch. A batch still running then (its handlers may take up to 10 s) is not waited for: the
     * process goes on stopping, and whatever it had not acknowledged stays pending and is retried.
     */
    @Override
    public void close() {
        signalStop();
        awaitStop();
    }

    /** Tells the loop to end after its current read and batch, without waiting. */
    void signalStop() {
        running = false;
        watchdog.shutdownNow();
    }

    /** Waits as {@link #close} says for the loop to end. */
    void awaitStop() {
        try {
            thread.join(settings.block().plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{}: consumer did not stop in time", settings.stream());
        }
    }
}
