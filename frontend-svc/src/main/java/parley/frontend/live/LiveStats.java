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
                .description(
                        "from the message's send (the event's occurred_at) to the write on a live connection; one sample per write, its oldest notification")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        Gauge.builder("parley.live.queued", queued, AtomicLong::get)
                .description("live notifications waiting for their sessions' writers, all sessions together")
                .register(registry);
    }

    /**
     * Counts live writes, and records one end-to-end latency sample per flush: the oldest
     * notification written (the first; a session writes in order), so the histogram shows the
     * worst wait in each write at the cost of one timestamp parse per flush, not per notification.
     */
    void delivered(List<Parsed> written) {
        if (written.isEmpty()) {
            return;
        }
        delivered.increment(written.size());
        try {
            long sentAt =
                    Instant.parse(written.get(0).notification().getTimestamp()).toEpochMilli();
            latency.record(Math.max(0, System.currentTimeMillis() - sentAt), TimeUnit.MILLISECONDS);
        } catch (DateTimeParseException e) {
            // no timestamp to measure from
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
