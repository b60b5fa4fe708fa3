package parley.frontend.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import parley.frontend.live.LiveHub;
import parley.frontend.live.LiveSession;
import parley.frontend.live.LiveStats;
import parley.frontend.live.LiveTracing;
import parley.frontend.peers.AckLane;
import parley.frontend.peers.GrpcDeliveryAcks;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.PushBatch;
import parley.frontend.v1.PushResult;
import parley.frontend.v1.ReceiveNotificationResponse;
import parley.frontend.v1.SubscribeRequest;
import parley.notification.v1.Notification;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.Caller;

/** gRPC transport of frontend-svc: the push from notification-svc and the Subscribe stream. */
public final class FrontendGrpcService extends FrontendServiceGrpc.FrontendServiceImplBase {
    /** Who may call which rpc (docs/security.md has the whole table). */
    public static final Function<String, Access> ACCESS =
            method -> method.endsWith("/ReceiveNotification") || method.endsWith("/PushNotifications")
                    ? Access.services("notification-svc")
                    : Access.USERS;
    /** The most notifications one PushBatch may carry. */
    public static final int MAX_BATCH = 1000;

    private final LiveHub hub;
    private final GrpcDeliveryAcks acks;
    private final LiveStats stats;

    public FrontendGrpcService(LiveHub hub, GrpcDeliveryAcks acks, LiveStats stats) {
        this.hub = hub;
        this.acks = acks;
        this.stats = stats;
    }

    @Override
    public void receiveNotification(Notification n, StreamObserver<ReceiveNotificationResponse> response) {
        Validation.email("receiver_email", n.getReceiverEmail());
        hub.publish(n).whenComplete((delivered, error) -> {
            if (error != null) {
                response.onError(Status.UNAVAILABLE
                        .withDescription("Redis Pub/Sub unavailable: " + error.getMessage())
                        .asRuntimeException());
            } else {
                response.onNext(ReceiveNotificationResponse.newBuilder()
                        .setDelivered(delivered)
                        .build());
                response.onCompleted();
            }
        });
    }

    /**
     * Each batch is published as it arrives (handlers run on the event loop, so in order) and
     * answered when Redis has answered its PUBLISHes. A malformed batch ends the stream with
     * INVALID_ARGUMENT; a Redis failure ends it with UNAVAILABLE, and the pusher re-sends. While the
     * stream is open, this instance's delivery acks travel back on it.
     */
    @Override
    public StreamObserver<PushBatch> pushNotifications(StreamObserver<PushResult> results) {
        // pushes may have been lost around a push stream's start or end (a notification-svc that
        // crashed after acking its entries, or gave pushes up): live sessions re-read their pending
        hub.requestReconcile("a push stream opened");
        ServerCallStreamObserver<PushResult> out = (ServerCallStreamObserver<PushResult>) results;
        AckLane lane = acks.attach(out);
        out.setOnReadyHandler(acks::sendWhatIsWaiting);
        return new StreamObserver<>() {
            @Override
            public void onNext(PushBatch batch) {
                if (!lane.isOpen()) {
                    return;
                }
                if (batch.getNotificationsCount() > MAX_BATCH) {
                    fail(Status.INVALID_ARGUMENT.withDescription(
                            "a push batch holds at most " + MAX_BATCH + " notifications"));
                    return;
                }
                for (Notification n : batch.getNotificationsList()) {
                    if (!validReceiver(n)) {
                        fail(Status.INVALID_ARGUMENT.withDescription(
                                "every pushed notification needs an id and a valid receiver_email"));
                        return;
                    }
                }
                LiveTracing trace = LiveTracing.received(batch.getNotificationsList());
                hub.publish(trace.notifications()).whenComplete((delivered, error) -> {
                    trace.end();
                    if (error != null) {
                        fail(Status.UNAVAILABLE.withDescription("Redis Pub/Sub unavailable: " + error.getMessage()));
                        return;
                    }
                    PushResult.Builder r = PushResult.newBuilder().setSeq(batch.getSeq());
                    for (boolean d : delivered) {
                        r.addDelivered(d);
                    }
                    lane.answer(r.build());
                });
            }

            private void fail(Status status) {
                lane.fail(status);
            }

            @Override
            public void onError(Throwable t) {
                lane.closed();
                hub.requestReconcile("a push stream broke");
            }

            @Override
            public void onCompleted() {
                lane.complete();
                hub.requestReconcile("a push stream ended");
            }
        };
    }

    private static boolean validReceiver(Notification n) {
        try {
            Validation.email("receiver_email", n.getReceiverEmail());
            return !n.getId().isEmpty();
        } catch (ServiceException e) {
            return false;
        }
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Notification> response) {
        String email = Validation.email("email", request.getEmail());
        Caller.requireSelf(email);
        String afterId = request.hasAfterId() && !request.getAfterId().isBlank()
                ? Validation.notificationId("after_id", request.getAfterId())
                : null;
        hub.admit(email);
        ServerCallStreamObserver<Notification> out = (ServerCallStreamObserver<Notification>) response;
        LiveSession session = new LiveSession(email, new GrpcSink(out), acks, stats);
        out.setOnCancelHandler(() -> session.close("client cancelled"));
        hub.join(session, afterId, Caller.token());
    }
}
