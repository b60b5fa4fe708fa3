package parley.frontend.peers;

import io.grpc.CallCredentials;
import java.util.concurrent.TimeUnit;
import parley.message.v1.MessageServiceGrpc;
import parley.notification.v1.NotificationServiceGrpc;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.grpc.ServiceCredentials;
import parley.user.v1.UserServiceGrpc;

/**
 * frontend-svc's long-lived channels to the other three services. Calls made for a user carry
 * that user's own token, so every ownership rule is enforced where the data lives.
 */
public final class Peers implements AutoCloseable {
    public static final long DEADLINE_MS = 5_000;

    private final PeerChannel users;
    private final PeerChannel messages;
    private final PeerChannel notifications;

    public Peers(String userSvc, String messageSvc, String notificationSvc) {
        this.users = new PeerChannel(userSvc);
        this.messages = new PeerChannel(messageSvc);
        this.notifications = new PeerChannel(notificationSvc);
    }

    public UserServiceGrpc.UserServiceBlockingStub users(String token) {
        UserServiceGrpc.UserServiceBlockingStub stub =
                UserServiceGrpc.newBlockingStub(users.channel()).withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS);
        return token == null ? stub : stub.withCallCredentials(PeerChannel.bearer(token));
    }

    public MessageServiceGrpc.MessageServiceBlockingStub messages(String token) {
        return MessageServiceGrpc.newBlockingStub(messages.channel())
                .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
                .withCallCredentials(PeerChannel.bearer(token));
    }

    public NotificationServiceGrpc.NotificationServiceBlockingStub notifications(String token) {
        return NotificationServiceGrpc.newBlockingStub(notifications.channel())
                .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
                .withCallCredentials(PeerChannel.bearer(token));
    }

    /** As this service ({@link ServiceCredentials}), on behalf of a user. */
    public NotificationServiceGrpc.NotificationServiceBlockingStub notifications(CallCredentials service) {
        return NotificationServiceGrpc.newBlockingStub(notifications.channel())
                .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
                .withCallCredentials(service);
    }

    public NotificationServiceGrpc.NotificationServiceFutureStub notificationsAsync(CallCredentials service) {
        return NotificationServiceGrpc.newFutureStub(notifications.channel()).withCallCredentials(service);
    }

    public PeerChannel userChannel() {
        return users;
    }

    public PeerChannel messageChannel() {
        return messages;
    }

    public PeerChannel notificationChannel() {
        return notifications;
    }

    @Override
    public void close() {
        users.close();
        messages.close();
        notifications.close();
    }
}
