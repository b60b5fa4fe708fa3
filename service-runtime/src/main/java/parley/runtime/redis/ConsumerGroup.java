package parley.runtime.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group a {@link StreamConsumer} reads in: creating it when missing, reading its lag
 * and pending count for the gauges, and removing members that are gone for good.
 */
final class ConsumerGroup {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroup.class);

    private final StreamConsumer.Settings settings;
    private final RedisClusterCommands<String, String> redis;

    ConsumerGroup(StreamConsumer.Settings settings, RedisClusterCommands<String, String> redis) {
        this.settings = settings;
        this.redis = redis;
    }

    /**
     * Creates the stream and the group when missing, the group from the beginning of the retained
     * stream (never {@code $}: entries appended before the first start would be skipped). An
     * existing group keeps its position.
     */
    void ensure() {
        try {
            redis.xgroupCreate(
                    StreamOffset.from(settings.stream(), "0-0"),
                    settings.group(),
                    XGroupCreateArgs.Builder.mkstream(true));
            log.info("{}: created consumer group {}", settings.stream(), settings.group());
        } catch (RedisBusyException e) {
            // BUSYGROUP: it exists already
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /** Whether a failure means the group (or its stream) is gone, e.g. after a Redis flush. */
    static boolean isMissing(RuntimeException e) {
        return e instanceof RedisCommandExecutionException
                && e.getMessage() != null
                && e.getMessage().startsWith("NOGROUP");
    }

    /**
     * Removes other consumers that hold no pending entries and have not read for {@code forgetIdle}.
     * A live consumer reads every block interval, so its idle time never gets near it.
     */
    void forgetGoneConsumers() {
        for (Object raw : redis.xinfoConsumers(settings.stream(), settings.group())) {
            Map<String, Object> consumer = XInfo.fields(raw);
            String name = String.valueOf(consumer.get("name"));
            if (!name.equals(settings.consumer())
                    && consumer.get("pending") instanceof Number pending
                    && pending.longValue() == 0
                    && consumer.get("idle") instanceof Number idle
                    && idle.longValue() > settings.forgetIdle().toMillis()) {
                redis.xgroupDelconsumer(settings.stream(), Consumer.from(settings.group(), name));
                log.info(
                        "{}: removed consumer {} from group {} (idle {} ms, nothing pending)",
                        settings.stream(),
                        name,
                        settings.group(),
                        idle);
            }
        }
    }

    /** One number of the group's {@code XINFO GROUPS} entry ({@code lag}, {@code pending}), or NaN. */
    double info(RedisLink shared, String field) {
        try {
            for (Object group : shared.sync().xinfoGroups(settings.stream())) {
                Map<String, Object> info = XInfo.fields(group);
                if (settings.group().equals(info.get("name")) && info.get(field) instanceof Number n) {
                    return n.doubleValue();
                }
            }
        } catch (RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
