package parley.frontend.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import parley.frontend.v1.PushResult;
import parley.notification.v1.AckDeliveredBatchRequest;

/**
 * The answer side of one open {@code PushNotifications} stream, shared by the push answers and
 * the delivery acks that ride back on it. Every write to the stream goes through this object's
 * monitor, since a gRPC stream takes one writer at a time.
 */
final class AckLane {
  private final ServerCallStreamObserver<PushResult> results;
  private boolean open = true;

  AckLane(ServerCallStreamObserver<PushResult> results) {
    this.results = results;
  }

  /** Whether acks may be sent now: open, and gRPC's flow control has room. */
  synchronized boolean ready() {
    return open && results.isReady();
  }

  /** Sends a push answer; false when the stream ended already. */
  synchronized boolean answer(PushResult result) {
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
  synchronized void fail(io.grpc.Status status) {
    if (open) {
      open = false;
      results.onError(status.asRuntimeException());
    }
  }

  /** Ends the stream normally (once). */
  synchronized void complete() {
    if (open) {
      open = false;
      results.onCompleted();
    }
  }

  /** The client went away: nothing more may be written. */
  synchronized void closed() {
    open = false;
  }

  synchronized boolean isOpen() {
    return open;
  }
}
