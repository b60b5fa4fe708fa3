package parley.runtime.redis;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The producer's view of its stream, refreshed by every retention pass from the {@code XINFO
 * GROUPS} it reads anyway: the length, and each group's lag and pending count. A consumer's own
 * {@code parley_stream_lag} disappears with the consumer; this one keeps rising while it is down.
 */
final class StreamBacklog {
    private final AtomicLong length = new AtomicLong();
    private final MultiGauge lag;
    private final MultiGauge pending;

    StreamBacklog(String stream, MeterRegistry registry) {
        Gauge.builder("parley.stream.length", length, AtomicLong::get)
                .tag("stream", stream)
                .description("entries in the stream, as of the last retention pass")
                .register(registry);
        this.lag = MultiGauge.builder("parley.stream.group.lag")
                .tag("stream", stream)
                .description("entries each consumer group has not read yet, as the producer sees it")
                .register(registry);
        this.pending = MultiGauge.builder("parley.stream.group.pending")
                .tag("stream", stream)
                .description("entries each consumer group has read but not acknowledged, as the producer sees it")
                .register(registry);
    }

    /** @param groups the stream's {@code XINFO GROUPS} entries */
    void update(long entries, List<Map<String, Object>> groups) {
        length.set(entries);
        lag.register(rows(groups, "lag"), true);
        pending.register(rows(groups, "pending"), true);
    }

    private static List<MultiGauge.Row<?>> rows(List<Map<String, Object>> groups, String field) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Map<String, Object> group : groups) {
            // lag is nil when Redis cannot tell (entries deleted in the group's range)
            if (group.get(field) instanceof Number n) {
                rows.add(MultiGauge.Row.of(Tags.of("group", String.valueOf(group.get("name"))), n));
            }
        }
        return rows;
    }
}
