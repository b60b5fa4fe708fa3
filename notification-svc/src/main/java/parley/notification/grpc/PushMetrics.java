package parley.notification.grpc;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.notification.domain.Notification;

/** What the push path counts, and its give-up log (at most one line a second). */
final class PushMetrics {
    private static final Logger log = LoggerFactory.getLogger(PushMetrics.class);

    private final MeterRegistry registry;
    private final Counter delivered;
    private final Counter offline;
    private final Counter failed;
    private final Counter resent;
    private final Counter batches;
    private long lastGiveUpLog;
    private int givenUpSinceLog;

    PushMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
        this.registry = registry;
        this.delivered = outcome("delivered", "pushes a live connection received");
        this.offline = outcome("offline", "pushes answered delivered=false (user offline; stays pending)");
        this.failed = outcome("failed", "pushes given up (stays pending)");
        this.resent = Counter.builder("parley.push.resent")
                .description("notifications sent again after the push stream broke")
                .register(registry);
        this.batches = Counter.builder("parley.push.batches")
                .description("push batches sent")
                .register(registry);
        retries(Status.Code.UNAVAILABLE); // the usual one, so the series exists before the first failure
        Gauge.builder("parley.push.in_flight", inFlight)
                .description("notifications queued or awaiting frontend-svc's answer")
                .register(registry);
    }

    private Counter outcome(String outcome, String description) {
        return Counter.builder("parley.push")
                .tag("outcome", outcome)
                .description(description)
                .register(registry);
    }

    void answered(boolean got) {
        (got ? delivered : offline).increment();
    }

    void batchSent() {
        batches.increment();
    }

    void streamBroke(Status status, int toResend) {
        resent.increment(toResend);
        retries(status.getCode()).increment();
    }

    private Counter retries(Status.Code code) {
        return Counter.builder("parley.push.retries")
                .tag("code", code.name())
                .description("push stream failures, by gRPC status code (the stream is opened again)")
                .register(registry);
    }

    /** Counts a push given up; logs at most one line a second, however many are given up. */
    synchronized void gaveUp(Notification n, String why) {
        failed.increment();
        givenUpSinceLog++;
        long now = System.nanoTime();
        if (now - lastGiveUpLog > TimeUnit.SECONDS.toNanos(1)) {
            log.warn(
                    "{} push(es) given up, the last of notification {} to {}: {} (they stay pending)",
                    givenUpSinceLog,
                    n.id(),
                    n.receiverEmail(),
                    why);
            lastGiveUpLog = now;
            givenUpSinceLog = 0;
        }
    }
}
