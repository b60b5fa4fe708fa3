package parley.message.grpc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import parley.message.domain.UserDirectory;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.grpc.PeerChannel;
import parley.user.v1.CheckUserExistsRequest;
import parley.user.v1.CheckUserExistsResponse;
import parley.user.v1.UserServiceGrpc;

/**
 * Asks user-svc's {@code CheckUserExists} (service token, deadline, gRPC retries on UNAVAILABLE),
 * all parties in parallel. Positive answers are cached briefly; {@link #forget} drops one when a
 * {@code UserDeleted} event arrives.
 */
public final class GrpcUserDirectory implements UserDirectory {
  private final UserServiceGrpc.UserServiceFutureStub stub;
  private final Duration deadline;
  private final Cache<String, Boolean> known;

  public GrpcUserDirectory(PeerChannel userSvc, String serviceToken, Duration deadline, Duration cacheFor) {
    this.stub = UserServiceGrpc.newFutureStub(userSvc.channel()).withCallCredentials(PeerChannel.bearer(serviceToken));
    this.deadline = deadline;
    this.known = Caffeine.newBuilder().expireAfterWrite(cacheFor).maximumSize(100_000).build();
  }

  @Override
  public List<String> unregistered(List<String> emails) {
    Map<String, ListenableFuture<CheckUserExistsResponse>> asked = new LinkedHashMap<>();
    for (String email : emails) {
      if (known.getIfPresent(email) == null) {
        asked.put(
            email,
            stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .checkUserExists(CheckUserExistsRequest.newBuilder().setEmail(email).build()));
      }
    }
    List<String> missing = new ArrayList<>();
    for (var e : asked.entrySet()) {
      if (answer(e.getValue())) {
        known.put(e.getKey(), Boolean.TRUE);
      } else {
        missing.add(e.getKey());
      }
    }
    return missing;
  }

  public void forget(String email) {
    known.invalidate(email);
  }

  private static boolean answer(ListenableFuture<CheckUserExistsResponse> future) {
    try {
      return future.get().getExists();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceException(ErrorCode.UNAVAILABLE, "interrupted while checking users");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        ErrorCode code = ErrorCode.fromGrpc(sre.getStatus().getCode());
        if (code == ErrorCode.UNAVAILABLE) {
          throw new ServiceException(ErrorCode.UNAVAILABLE, "user-svc is unavailable, so the users cannot be checked; try again shortly");
        }
        throw new ServiceException(ErrorCode.INTERNAL, "user-svc refused the user check: " + sre.getStatus().getCode());
      }
      throw new ServiceException(ErrorCode.UNAVAILABLE, "user check failed: " + e.getCause());
    }
  }
}
