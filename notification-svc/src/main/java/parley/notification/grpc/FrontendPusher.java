package parley.notification.grpc;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.ReceiveNotificationResponse;
import parley.notification.domain.LivePush;
import parley.notification.domain.Notification;
import parley.runtime.grpc.PeerChannel;

/**
 * Pushes notifications to frontend-svc's {@code ReceiveNotification}, asynchronously (consumption
 * never waits for it), each attempt with a deadline, retrying transport failures with exponential
 * backoff and jitter (Failsafe) for a bounded time. {@code delivered=false} is an answer, not a
 * failure: the notification stays pending. A push given up on also stays pending.
 */
public final class FrontendPusher implements LivePush {
  private static final Logger log = LoggerFactory.getLogger(FrontendPusher.class);

  private final FrontendServiceGrpc.FrontendServiceStub stub;
  private final Duration deadline;
  private final FailsafeExecutor<Boolean> retrying;
  private final Counter delivered;
  private final Counter offline;
  private final Counter failed;
  private final MeterRegistry registry;

  public FrontendPusher(
      PeerChannel frontend, String serviceToken, Duration deadline, Duration giveUpAfter, ScheduledExecutorService scheduler, MeterRegistry registry) {
    this.stub = FrontendServiceGrpc.newStub(frontend.channel()).withCallCredentials(PeerChannel.bearer(serviceToken));
    this.deadline = deadline;
    this.delivered = Counter.builder("parley.push").tag("outcome", "delivered").description("pushes a live connection received").register(registry);
    this.offline = Counter.builder("parley.push").tag("outcome", "offline").description("pushes answered delivered=false (user offline; stays pending)").register(registry);
    this.failed = Counter.builder("parley.push").tag("outcome", "failed").description("pushes given up after retrying (stays pending)").register(registry);
    this.registry = registry;
    RetryPolicy<Boolean> policy =
        RetryPolicy.<Boolean>builder()
            .handleIf(FrontendPusher::transient_)
            .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(5))
            .withJitter(0.25)
            .withMaxRetries(-1)
            .withMaxDuration(giveUpAfter)
            .onRetry(e -> retried(e.getLastException()).increment())
            .build();
    this.retrying = Failsafe.with(policy).with(scheduler);
  }

  /** Counted per gRPC status code, so an operator sees why pushes are retried. */
  private Counter retried(Throwable failure) {
    String code = unwrap(failure) instanceof StatusRuntimeException sre ? sre.getStatus().getCode().name() : "OTHER";
    return Counter.builder("parley.push.retries").tag("code", code).description("push attempts retried after a transport failure").register(registry);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static boolean transient_(Throwable t) {
    if (unwrap(t) instanceof StatusRuntimeException sre) {
      Status.Code code = sre.getStatus().getCode();
      return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.UNKNOWN
          || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.INTERNAL;
    }
    return false;
  }

  @Override
  public CompletionStage<Boolean> push(Notification n) {
    return retrying
        .getStageAsync(() -> attempt(n))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                failed.increment();
                log.warn("push of notification {} to {} given up: {} (it stays pending)", n.id(), n.receiverEmail(), error.toString());
              } else if (ok) {
                delivered.increment();
              } else {
                offline.increment();
              }
            });
  }

  private CompletableFuture<Boolean> attempt(Notification n) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .receiveNotification(
            NotificationGrpcService.toProto(n),
            new StreamObserver<>() {
              @Override
              public void onNext(ReceiveNotificationResponse value) {
                result.complete(value.getDelivered());
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                result.complete(false);
              }
            });
    return result;
  }
}
