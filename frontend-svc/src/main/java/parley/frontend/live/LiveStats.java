package parley.frontend.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import parley.contract.NotificationJson.Parsed;

/** What live delivery is doing, for /metrics. */
public final class LiveStats {
    private final Counter delivered;
    private final Counter replayed;
    private final Counter resets;
    private final Timer latency;
    private final AtomicLong queued = new AtomicLong();

    public LiveStats(MeterRegistry registry) {
        this.delivered = Counter.builder("parley.live.delivered")
                .description("notifications written live to a connection")
                .register(registry);
        this.replayed = Counter.builder("parley.live.replayed")
                .description("notifications written by replay on connect")
                .register(registry);
        this.resets = Counter.builder("parley.live.resets")
                .description("reset events sent (cursor older than retained history)")
                .register(registry);
        this.latency = Timer.builder("parley.live.delivery.latency")
                .description("from the message's send (the event's occurred_at) to the write on a live connection")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("parley.live.queued", queued, AtomicLong::get)
                .description("live notifications waiting for their sessions' writers, all sessions together")
                .register(registry);
    }

    /** Counts live writes, and their end-to-end latency from each notification's timestamp. */
    void delivered(List<Parsed> written) {
        delivered.increment(written.size());
        long now = System.currentTimeMillis();
        for (Parsed p : written) {
            try {
                long sentAt = Instant.parse(p.notification().getTimestamp()).toEpochMilli();
                latency.record(Math.max(0, now - sentAt), TimeUnit.MILLISECONDS);
            } catch (DateTimeParseException e) {
                // no timestamp to measure from
            }
        }
    }

    void replayed(int count) {
        replayed.increment(count);
    }

    /** Counts notifications queued for some session's writer; returns the instance's total. */
    long queued(int count) {
        return queued.addAndGet(count);
    }

    void reset() {
        resets.increment();
    }
}
