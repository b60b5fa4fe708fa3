package parley.runtime.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entries delivered to the group and never acknowledged: this consumer's own after a restart, and
 * any consumer's left idle longer than {@code claimIdle} (taken over with {@code XAUTOCLAIM}).
 * Either kind delivered more than {@code maxDeliveries} times goes to dead letters instead of
 * being retried (one that crashes the process would otherwise loop forever).
 */
final class PendingEntries {
    private static final Logger log = LoggerFactory.getLogger(PendingEntries.class);

    private final StreamConsumer.Settings settings;
    private final RedisClusterCommands<String, String> redis;
    private final ConsumerBatch batch;
    private final DeadLetters deadLetters;
    private final Runnable progress;
    private final BooleanSupplier running;

    PendingEntries(
            StreamConsumer.Settings settings,
            RedisClusterCommands<String, String> redis,
            ConsumerBatch batch,
            DeadLetters deadLetters,
            Runnable progress,
            BooleanSupplier running) {
        this.settings = settings;
        this.redis = redis;
        this.batch = batch;
        this.deadLetters = deadLetters;
        this.progress = progress;
        this.running = running;
    }

    /** Entries this consumer name was given before a restart and never acknowledged. */
    @SuppressWarnings("unchecked") // lettuce's xreadgroup takes StreamOffset<K>... (generic varargs)
    void processOwn() {
        List<StreamMessage<String, String>> mine;
        String from = "0-0";
        do {
            progress.run();
            mine = redis.xreadgroup(
                    Consumer.from(settings.group(), settings.consumer()),
                    XReadArgs.Builder.count(settings.batchSize()),
                    StreamOffset.from(settings.stream(), from));
            if (!mine.isEmpty()) {
                log.info("{}: re-reading {} of its own pending entries", settings.stream(), mine.size());
                from = mine.get(mine.size() - 1).getId();
                batch.process(retryOrDeadLetter(mine));
            }
        } while (running.getAsBoolean() && !mine.isEmpty());
    }

    /** Takes over entries left idle by any consumer (a crashed one, or a failed attempt). */
    void reclaim() {
        reclaim(settings.claimIdle());
    }

    /** Takes over entries any consumer has held for at least {@code minIdle}. */
    void reclaim(Duration minIdle) {
        String cursor = "0-0";
        do {
            ClaimedMessages<String, String> claimed = redis.xautoclaim(
                    settings.stream(),
                    XAutoClaimArgs.Builder.xautoclaim(
                                    Consumer.from(settings.group(), settings.consumer()), minIdle, cursor)
                            .count(settings.batchSize()));
            progress.run();
            List<StreamMessage<String, String>> messages = claimed.getMessages();
            if (!messages.isEmpty()) {
                log.info("{}: reclaimed {} idle entries", settings.stream(), messages.size());
                batch.process(retryOrDeadLetter(messages));
            }
            cursor = claimed.getId();
        } while (running.getAsBoolean() && !"0-0".equals(cursor));
    }

    /** The entries to process again; those delivered too often go to dead letters instead. */
    private List<StreamMessage<String, String>> retryOrDeadLetter(List<StreamMessage<String, String>> messages) {
        Map<String, Long> deliveries = deliveryCounts(messages);
        List<StreamMessage<String, String>> retry = new ArrayList<>();
        for (StreamMessage<String, String> m : messages) {
            long count = deliveries.getOrDefault(m.getId(), 1L);
            if (count > settings.maxDeliveries()) {
                deadLetters.add(
                        m,
                        "failed " + (count - 1) + " times; giving up after " + settings.maxDeliveries()
                                + " deliveries");
            } else {
                retry.add(m);
            }
        }
        return retry;
    }

    private Map<String, Long> deliveryCounts(List<StreamMessage<String, String>> messages) {
        List<PendingMessage> pending = redis.xpending(
                settings.stream(),
                Consumer.from(settings.group(), settings.consumer()),
                Range.create(
                        messages.get(0).getId(),
                        messages.get(messages.size() - 1).getId()),
                Limit.from(messages.size() * 2L));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (PendingMessage p : pending) {
            counts.put(p.getId(), p.getRedeliveryCount());
        }
        return counts;
    }
}
