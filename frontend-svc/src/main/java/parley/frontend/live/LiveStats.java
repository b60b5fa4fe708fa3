package parley.frontend.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** What live delivery is doing, for /metrics. */
public final class LiveStats {
    private final Counter delivered;
    private final Counter replayed;
    private final Counter resets;
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
        Gauge.builder("parley.live.queued", queued, AtomicLong::get)
                .description("live notifications waiting for their sessions' writers, all sessions together")
                .register(registry);
    }

    void delivered(int count) {
        delivered.increment(count);
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
