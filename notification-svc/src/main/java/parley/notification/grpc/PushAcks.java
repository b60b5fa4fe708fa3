package parley.notification.grpc;

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

/**
 * The delivery acks frontend-svc sends back on the push stream ({@code PushResult.acks}), handed
 * to the pending-set removal. Until a sink is set they are ignored: the ids stay pending.
 */
final class PushAcks {
    private static final Logger log = LoggerFactory.getLogger(PushAcks.class);

    private volatile Function<List<Notifications.DeliveryAck>, CompletionStage<Long>> sink =
            acks -> CompletableFuture.completedFuture(0L);

    void sendTo(Function<List<Notifications.DeliveryAck>, CompletionStage<Long>> sink) {
        this.sink = sink;
    }

    /** Hands over the acks of one answer; a failure only leaves those ids pending. */
    void accept(PushResult result) {
        if (result.getAcksCount() == 0) {
            return;
        }
        List<Notifications.DeliveryAck> acks = new ArrayList<>(result.getAcksCount());
        for (AckDeliveredRequest a : result.getAcksList()) {
            acks.add(new Notifications.DeliveryAck(a.getEmail(), a.getIdsList(), a.hasUpToId() ? a.getUpToId() : null));
        }
        try {
            sink.apply(acks).whenComplete((removed, error) -> {
                if (error != null) {
                    log.warn(
                            "delivery acks from the push stream ({} users) failed: {}; those stay pending",
                            acks.size(),
                            error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("delivery acks from the push stream refused: {}; those stay pending", e.toString());
        }
    }
}
