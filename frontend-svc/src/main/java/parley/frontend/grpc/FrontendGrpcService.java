package parley.frontend.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import parley.frontend.live.DeliveryAcks;
import parley.frontend.live.LiveHub;
import parley.frontend.live.LiveSession;
import parley.frontend.live.LiveStats;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.ReceiveNotificationResponse;
import parley.frontend.v1.SubscribeRequest;
import parley.notification.v1.Notification;
import parley.runtime.error.Validation;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.Caller;

/** gRPC transport of frontend-svc: the push from notification-svc and the Subscribe stream. */
public final class FrontendGrpcService extends FrontendServiceGrpc.FrontendServiceImplBase {
  public static final Function<String, Access> ACCESS =
      method -> method.endsWith("/ReceiveNotification") ? Access.SERVICE : Access.AUTHENTICATED;

  private final LiveHub hub;
  private final DeliveryAcks acks;
  private final LiveStats stats;

  public FrontendGrpcService(LiveHub hub, DeliveryAcks acks, LiveStats stats) {
    this.hub = hub;
    this.acks = acks;
    this.stats = stats;
  }

  @Override
  public void receiveNotification(Notification n, StreamObserver<ReceiveNotificationResponse> response) {
    Validation.email("receiver_email", n.getReceiverEmail());
    hub.publish(n)
        .whenComplete(
            (receivers, error) -> {
              if (error != null) {
                response.onError(Status.UNAVAILABLE.withDescription("Redis Pub/Sub unavailable: " + error.getMessage()).asRuntimeException());
              } else {
                response.onNext(ReceiveNotificationResponse.newBuilder().setDelivered(receivers > 0).build());
                response.onCompleted();
              }
            });
  }

  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<Notification> response) {
    String email = Validation.email("email", request.getEmail());
    Caller.requireSelf(email);
    String afterId = request.hasAfterId() && !request.getAfterId().isBlank() ? Validation.notificationId("after_id", request.getAfterId()) : null;
    ServerCallStreamObserver<Notification> out = (ServerCallStreamObserver<Notification>) response;
    LiveSession session = new LiveSession(email, new GrpcSink(out), acks, stats);
    out.setOnCancelHandler(() -> session.close("client cancelled"));
    hub.join(session, afterId);
  }
}
