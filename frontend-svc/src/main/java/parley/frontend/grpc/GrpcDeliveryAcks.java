package parley.frontend.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.live.DeliveryAcks;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.AckDeliveredResponse;

/**
 * AckDelivered with frontend-svc's service token, coalesced: ids delivered to the same user within
 * {@link #WINDOW_MS} go in one call, so a busy instance makes one rpc per user per window instead
 * of one per notification. Fire-and-forget: a lost ack only means the notification stays pending
 * and is replayed once more on a connect without a cursor, where the client's id check drops it.
 */
public final class GrpcDeliveryAcks implements DeliveryAcks, AutoCloseable {
  static final long WINDOW_MS = 20;
  private static final Logger log = LoggerFactory.getLogger(GrpcDeliveryAcks.class);

  private final Peers peers;
  private final String serviceToken;
  private final Map<String, List<String>> waiting = new ConcurrentHashMap<>();
  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("ack-flush").unstarted(r));

  public GrpcDeliveryAcks(Peers peers, String serviceToken) {
    this.peers = peers;
    this.serviceToken = serviceToken;
    flusher.scheduleWithFixedDelay(this::flush, WINDOW_MS, WINDOW_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void ack(String email, List<String> ids) {
    waiting.compute(email, (e, list) -> {
      List<String> l = list == null ? new ArrayList<>() : list;
      l.addAll(ids);
      return l;
    });
  }

  @Override
  public void ackUpTo(String email, String cursor) {
    send(AckDeliveredRequest.newBuilder().setEmail(email).setUpToId(cursor).build());
  }

  /** Sends everything waiting, one call per user. */
  void flush() {
    for (String email : waiting.keySet()) {
      List<String> ids = waiting.remove(email);
      if (ids != null && !ids.isEmpty()) {
        for (int from = 0; from < ids.size(); from += 1000) {
          send(AckDeliveredRequest.newBuilder().setEmail(email).addAllIds(ids.subList(from, Math.min(ids.size(), from + 1000))).build());
        }
      }
    }
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

  /** Sends what is still waiting, then stops. */
  @Override
  public void close() {
    flusher.shutdown();
    flush();
  }
}
