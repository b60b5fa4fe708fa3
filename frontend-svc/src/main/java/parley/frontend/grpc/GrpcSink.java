package parley.frontend.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import parley.contract.NotificationJson.Parsed;
import parley.frontend.live.LiveSession;
import parley.frontend.live.LiveSink;
import parley.notification.v1.Notification;

/**
 * A Subscribe stream. Respects flow control: while the client is not ready, messages wait in a
 * bounded queue drained by the on-ready callback; a client that falls too far behind is ended with
 * RESOURCE_EXHAUSTED (it resubscribes with after_id and gets the rest by replay).
 */
final class GrpcSink implements LiveSink {
    private final ServerCallStreamObserver<Notification> out;
    private final ArrayDeque<Notification> waiting = new ArrayDeque<>();
    private boolean done;

    GrpcSink(ServerCallStreamObserver<Notification> out) {
        this.out = out;
        out.setOnReadyHandler(this::drain);
    }

    @Override
    public synchronized boolean send(List<Parsed> notifications, List<String> cursors) {
        if (done || out.isCancelled()) {
            return false;
        }
        for (Parsed p : notifications) {
            waiting.add(p.notification());
        }
        if (waiting.size() > LiveSession.MAX_BACKLOG) {
            done = true;
            waiting.clear();
            out.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("client too slow; subscribe again with after_id")
                    .asRuntimeException());
            return false;
        }
        drain();
        return true;
    }

    private synchronized void drain() {
        while (!done && !waiting.isEmpty() && out.isReady()) {
            out.onNext(waiting.poll());
        }
    }

    @Override
    public String transport() {
        return "grpc";
    }

    @Override
    public void reset() {
        send(List.of(Parsed.of(Notification.newBuilder().setReset(true).build())), List.of(""));
    }

    @Override
    public void revoke(String reason) {
        end(Status.UNAUTHENTICATED.withDescription(reason));
    }

    @Override
    public void close(String reason) {
        end(Status.UNAVAILABLE.withDescription(reason));
    }

    private synchronized void end(Status status) {
        if (done) {
            return;
        }
        done = true;
        if (!out.isCancelled()) {
            out.onError(status.asRuntimeException());
        }
    }
}
