package parley.notification.grpc;

import static parley.runtime.grpc.Replies.reply;
import static parley.runtime.grpc.Replies.replyWhenDone;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import parley.notification.NotificationMapping;
import parley.notification.domain.NotificationList;
import parley.notification.domain.Notifications;
import parley.notification.v1.AckDeliveredBatchRequest;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.AckDeliveredResponse;
import parley.notification.v1.CheckUserSubscribedRequest;
import parley.notification.v1.CheckUserSubscribedResponse;
import parley.notification.v1.CreateNotificationRequest;
import parley.notification.v1.ListNotificationsRequest;
import parley.notification.v1.ListNotificationsResponse;
import parley.notification.v1.MarkNotificationsReadRequest;
import parley.notification.v1.MarkNotificationsReadResponse;
import parley.notification.v1.NotificationServiceGrpc;
import parley.notification.v1.SubscribeUserRequest;
import parley.notification.v1.SubscriptionResponse;
import parley.notification.v1.UnsubscribeUserRequest;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.Caller;

/** gRPC transport of notification-svc; rules live in {@link Notifications}. */
public final class NotificationGrpcService extends NotificationServiceGrpc.NotificationServiceImplBase {
    /** Who may call which rpc (docs/security.md has the whole table). */
    public static final Function<String, Access> ACCESS = method -> switch (method.substring(method.indexOf('/') + 1)) {
        // the message stream's producer; notification-svc itself creates from the stream
        case "CreateNotification" -> Access.services("message-svc");
        case "AckDelivered", "AckDeliveredBatch" -> Access.services("frontend-svc");
        // frontend-svc replays a live session's missed notifications
        case "ListNotifications" -> Access.usersAnd("frontend-svc");
        default -> Access.USERS;
    };

    private final Notifications notifications;

    public NotificationGrpcService(Notifications notifications) {
        this.notifications = notifications;
    }

    @Override
    public void createNotification(
            CreateNotificationRequest r, StreamObserver<parley.notification.v1.Notification> response) {
        reply(
                response,
                NotificationMapping.toProto(notifications.create(
                        r.getReceiverEmail(), r.getSenderEmail(), r.getMessageId(), r.getPreview(), r.getRead())));
    }

    @Override
    public void checkUserSubscribed(
            CheckUserSubscribedRequest r, StreamObserver<CheckUserSubscribedResponse> response) {
        Caller.requireSelf(r.getEmail());
        reply(
                response,
                CheckUserSubscribedResponse.newBuilder()
                        .setSubscribed(notifications.subscribed(r.getEmail()))
                        .build());
    }

    @Override
    public void subscribeUser(SubscribeUserRequest r, StreamObserver<SubscriptionResponse> response) {
        Caller.requireSelf(r.getEmail());
        notifications.setSubscribed(r.getEmail(), true);
        reply(
                response,
                SubscriptionResponse.newBuilder()
                        .setEmail(r.getEmail().trim().toLowerCase(Locale.ROOT))
                        .setSubscribed(true)
                        .build());
    }

    @Override
    public void unsubscribeUser(UnsubscribeUserRequest r, StreamObserver<SubscriptionResponse> response) {
        Caller.requireSelf(r.getEmail());
        notifications.setSubscribed(r.getEmail(), false);
        reply(
                response,
                SubscriptionResponse.newBuilder()
                        .setEmail(r.getEmail().trim().toLowerCase(Locale.ROOT))
                        .setSubscribed(false)
                        .build());
    }

    @Override
    public void listNotifications(ListNotificationsRequest r, StreamObserver<ListNotificationsResponse> response) {
        Caller.requireSelf(r.getEmail());
        NotificationList list = notifications.list(
                r.getEmail(),
                r.getUnreadOnly(),
                r.hasAfterId() ? r.getAfterId() : null,
                r.getPageSize(),
                r.getIncludePending(),
                r.hasPageAfterId() ? r.getPageAfterId() : null);
        reply(
                response,
                ListNotificationsResponse.newBuilder()
                        .addAllNotifications(list.notifications().stream()
                                .map(NotificationMapping::toProto)
                                .toList())
                        .setReset(list.reset())
                        .setUnreadCount(list.unreadCount())
                        .build());
    }

    @Override
    public void markNotificationsRead(
            MarkNotificationsReadRequest r, StreamObserver<MarkNotificationsReadResponse> response) {
        Caller.requireSelf(r.getEmail());
        reply(
                response,
                MarkNotificationsReadResponse.newBuilder()
                        .setMarked(notifications.markRead(r.getEmail(), r.getIdsList(), r.getAll()))
                        .build());
    }

    @Override
    public void ackDelivered(AckDeliveredRequest r, StreamObserver<AckDeliveredResponse> response) {
        reply(
                response,
                AckDeliveredResponse.newBuilder()
                        .setAcknowledged(notifications.ackDelivered(
                                r.getEmail(), r.getIdsList(), r.hasUpToId() ? r.getUpToId() : null))
                        .build());
    }

    @Override
    public void ackDeliveredBatch(AckDeliveredBatchRequest r, StreamObserver<AckDeliveredResponse> response) {
        List<Notifications.DeliveryAck> acks = r.getAcksList().stream()
                .map(a -> new Notifications.DeliveryAck(
                        a.getEmail(), a.getIdsList(), a.hasUpToId() ? a.getUpToId() : null))
                .toList();
        // handled on the event loop: no thread waits for Redis, the answer leaves when it has answered
        replyWhenDone(
                response,
                notifications.ackDeliveredAsync(acks),
                removed -> AckDeliveredResponse.newBuilder()
                        .setAcknowledged(removed)
                        .build(),
                "AckDeliveredBatch");
    }
}
