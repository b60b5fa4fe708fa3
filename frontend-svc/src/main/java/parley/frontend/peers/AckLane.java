package parley.frontend.peers;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.function.Consumer;
import parley.frontend.v1.PushResult;
import parley.notification.v1.AckDeliveredBatchRequest;

/**
 * The answer side of one open {@code PushNotifications} stream, shared by the push answers and
 * the delivery acks that ride back on it. Every write to the stream goes through this object's
 * monitor, since a gRPC stream takes one writer at a time.
 */
public final class AckLane {
    private final ServerCallStreamObserver<PushResult> results;
    private final Consumer<AckLane> onEnd;
    private boolean open = true;

    /** @param onEnd runs once when the stream ends, however it ends */
    AckLane(ServerCallStreamObserver<PushResult> results, Consumer<AckLane> onEnd) {
        this.results = results;
        this.onEnd = onEnd;
    }

    /** Whether acks may be sent now: open, and gRPC's flow control has room. */
    synchronized boolean ready() {
        return open && results.isReady();
    }

    /** Sends a push answer; false when the stream ended already. */
    public synchronized boolean answer(PushResult result) {
        if (!open) {
            return false;
        }
        results.onNext(result);
        return true;
    }

    /** Sends acks as a result that answers no batch; false when the stream ended already. */
    synchronized boolean acks(AckDeliveredBatchRequest acks) {
        return answer(PushResult.newBuilder().addAllAcks(acks.getAcksList()).build());
    }

    /** Ends the stream with an error (once). */
    public void fail(Status status) {
        end(() -> results.onError(status.asRuntimeException()));
    }

    /** Ends the stream normally (once). */
    public void complete() {
        end(results::onCompleted);
    }

    /** The client went away: nothing more may be written. */
    public void closed() {
        end(() -> {});
    }

    private void end(Runnable last) {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
            last.run();
        }
        onEnd.accept(this);
    }

    public synchronized boolean isOpen() {
        return open;
    }
}
