package parley.notification.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.v1.PushResult;
import parley.notification.domain.Notifications;
import parley.notification.v1.AckDeliveredRequest;
import parley.runtime.Linger;

/**
 * The delivery acks frontend-svc sends back on the push stream ({@code PushResult.acks}), handed
 * to the pending-set removal. Until a sink is set they are ignored: the ids stay pending.
 *
 * <p>Acks are off the latency path (they only keep a delivered notification from being replayed),
 * so they are gathered for up to {@link #LINGER} and removed together: under light load every
 * notification's ack comes alone, and one pipelined removal per ack would cost a Redis round trip
 * per message. Bounded: at {@link #FLUSH_AT_USERS} users' acks or {@link #FLUSH_AT_IDS} ids the
 * gathered acks leave at once, so a flush stays within one removal's limits.
 */
final class PushAcks implements AutoCloseable {
    static final Duration LINGER = Duration.ofMillis(10);
    static final int FLUSH_AT_USERS = 1000;
    static final int FLUSH_AT_IDS = 5000;
    private static final Logger log = LoggerFactory.getLogger(PushAcks.class);

    private volatile Function<List<Notifications.DeliveryAck>, CompletionStage<Long>> sink =
            acks -> CompletableFuture.completedFuture(0L);
    private final Linger linger;
    private List<Notifications.DeliveryAck> gathered = new ArrayList<>();
    private int gatheredIds;

    PushAcks() {
        this(LINGER);
    }

    /** @param linger how long acks gather before they are removed */
    PushAcks(Duration linger) {
        this.linger = new Linger("push-acks", linger, this::flush);
    }

    void sendTo(Function<List<Notifications.DeliveryAck>, CompletionStage<Long>> sink) {
        this.sink = sink;
    }

    /** Gathers the acks of one answer; they are removed within the linger. */
    void accept(PushResult result) {
        if (result.getAcksCount() == 0) {
            return;
        }
        List<List<Notifications.DeliveryAck>> full = new ArrayList<>();
        synchronized (this) {
            for (AckDeliveredRequest a : result.getAcksList()) {
                gathered.add(new Notifications.DeliveryAck(
                        a.getEmail(), a.getIdsList(), a.hasUpToId() ? a.getUpToId() : null));
                gatheredIds += a.getIdsCount();
                if (gathered.size() >= FLUSH_AT_USERS || gatheredIds >= FLUSH_AT_IDS) {
                    full.add(take());
                }
            }
        }
        full.forEach(this::remove);
        if (!linger.arm()) {
            flush(); // closed: nothing gathers any more
        }
    }

    /** Removes what is gathered now. */
    private void flush() {
        List<Notifications.DeliveryAck> acks;
        synchronized (this) {
            acks = take();
        }
        remove(acks);
    }

    /** The gathered acks, emptied. Holds the lock. */
    private List<Notifications.DeliveryAck> take() {
        List<Notifications.DeliveryAck> acks = gathered;
        gathered = new ArrayList<>();
        gatheredIds = 0;
        return acks;
    }

    /** Hands acks to the removal; a failure only leaves those ids pending. */
    private void remove(List<Notifications.DeliveryAck> acks) {
        if (acks.isEmpty()) {
            return;
        }
        int users = acks.size();
        try {
            sink.apply(acks).whenComplete((removed, error) -> {
                if (error != null) {
                    log.warn(
                            "delivery acks from the push stream ({} users) failed: {}; those stay pending",
                            users,
                            error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("delivery acks from the push stream refused: {}; those stay pending", e.toString());
        }
    }

    /** Stops the timer and removes what is still gathered. */
    @Override
    public void close() {
        linger.close();
        flush();
    }
}
