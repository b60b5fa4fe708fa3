package parley.frontend.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.live.DeliveryAcks;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.AckDeliveredResponse;

/**
 * AckDelivered with frontend-svc's service token, fire-and-forget: a lost ack only means the
 * notification is replayed once more on the next connect, where the client's id check drops it.
 */
public final class GrpcDeliveryAcks implements DeliveryAcks {
  private static final Logger log = LoggerFactory.getLogger(GrpcDeliveryAcks.class);
  private final Peers peers;
  private final String serviceToken;

  public GrpcDeliveryAcks(Peers peers, String serviceToken) {
    this.peers = peers;
    this.serviceToken = serviceToken;
  }

  @Override
  public void ack(String email, List<String> ids) {
    send(AckDeliveredRequest.newBuilder().setEmail(email).addAllIds(ids).build());
  }

  @Override
  public void ackUpTo(String email, String cursor) {
    send(AckDeliveredRequest.newBuilder().setEmail(email).setUpToId(cursor).build());
  }

  private void send(AckDeliveredRequest request) {
    String email = request.getEmail();
    int count = request.getIdsCount();
    Futures.addCallback(
        peers.notificationsAsync(serviceToken)
            .withDeadlineAfter(Peers.DEADLINE_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
            .ackDelivered(request),
        new FutureCallback<AckDeliveredResponse>() {
          @Override
          public void onSuccess(AckDeliveredResponse result) {}

          @Override
          public void onFailure(Throwable t) {
            log.warn("AckDelivered for {} ({} ids) failed: {}", email, count, t.toString());
          }
        },
        MoreExecutors.directExecutor());
  }
}
