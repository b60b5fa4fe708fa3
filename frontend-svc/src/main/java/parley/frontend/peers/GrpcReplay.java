package parley.frontend.peers;

import io.grpc.CallCredentials;
import io.grpc.StatusRuntimeException;
import parley.frontend.live.Replay;
import parley.notification.v1.ListNotificationsRequest;
import parley.notification.v1.ListNotificationsResponse;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

/**
 * Replay from notification-svc: pending plus after the cursor, in id order, a page per call. Asked with
 * frontend-svc's service token: the user was already verified when the connection was opened.
 */
public final class GrpcReplay implements Replay {
    private final Peers peers;
    private final CallCredentials service;

    public GrpcReplay(Peers peers, CallCredentials service) {
        this.peers = peers;
        this.service = service;
    }

    @Override
    public Missed missed(String email, String afterId, String pageAfter) {
        ListNotificationsRequest.Builder request = ListNotificationsRequest.newBuilder()
                .setEmail(email)
                .setIncludePending(true)
                .setPageSize(PAGE_SIZE);
        if (afterId != null) {
            request.setAfterId(afterId);
        }
        if (pageAfter != null) {
            request.setPageAfterId(pageAfter);
        }
        try {
            ListNotificationsResponse r = peers.notifications(service).listNotifications(request.build());
            return new Missed(r.getNotificationsList(), r.getReset());
        } catch (StatusRuntimeException e) {
            throw new ServiceException(
                    ErrorCode.fromGrpc(e.getStatus().getCode()),
                    "notification-svc: " + e.getStatus().getDescription());
        }
    }
}
