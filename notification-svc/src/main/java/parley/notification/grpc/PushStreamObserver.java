package parley.notification.grpc;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import parley.frontend.v1.PushBatch;
import parley.frontend.v1.PushResult;

/**
 * The answers of one {@code PushNotifications} call, handed to its {@link StreamPusher} with the
 * generation of the stream they belong to (so a late callback of a replaced stream changes nothing).
 */
final class PushStreamObserver implements ClientResponseObserver<PushBatch, PushResult> {
    private final long generation;
    private final StreamPusher pusher;

    PushStreamObserver(long generation, StreamPusher pusher) {
        this.generation = generation;
        this.pusher = pusher;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<PushBatch> requests) {
        pusher.opened(requests);
        requests.setOnReadyHandler(pusher::signal);
    }

    @Override
    public void onNext(PushResult result) {
        pusher.answered(generation, result);
    }

    @Override
    public void onError(Throwable t) {
        pusher.ended(generation, Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        pusher.ended(generation, Status.UNAVAILABLE.withDescription("frontend-svc ended the push stream"));
    }
}
