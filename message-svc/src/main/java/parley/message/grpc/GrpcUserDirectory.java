package parley.message.grpc;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>A cached answer is checked again in the background once it is half its time old, on its next
 * use, while that use goes on with it: a user who keeps sending never waits for user-svc. (With
 * expiry alone, every busy user's entry ran out at the same moment a minute after a burst began,
 * and the next sends of all of them waited for user-svc together: a 100 ms stall once a minute.)
 * An answer nobody used for the whole time is dropped.
 */
public final class GrpcUserDirectory implements UserDirectory {
    private static final Logger log = LoggerFactory.getLogger(GrpcUserDirectory.class);
    private final UserServiceGrpc.UserServiceFutureStub stub;
    private final Duration deadline;
    // registered users; an entry is also the in-flight check itself, so concurrent sends to a
    // user not yet cached share one CheckUserExists call instead of stampeding user-svc
    private final AsyncLoadingCache<String, Boolean> known;

    public GrpcUserDirectory(PeerChannel userSvc, CallCredentials service, Duration deadline, Duration cacheFor) {
        this.stub = UserServiceGrpc.newFutureStub(userSvc.channel()).withCallCredentials(service);
        this.deadline = deadline;
        Caffeine<Object, Object> builder =
                Caffeine.newBuilder().expireAfterWrite(cacheFor).maximumSize(100_000);
        if (cacheFor.toMillis() >= 2) {
            builder.refreshAfterWrite(cacheFor.dividedBy(2)); // USER_CACHE_SECONDS=0: no cache, nothing to refresh
        }
        this.known = builder.buildAsync(new AsyncCacheLoader<String, Boolean>() {
            @Override
            public CompletableFuture<Boolean> asyncLoad(String email, Executor executor) {
                return ask(email);
            }

            /**
             * A user found gone on a refresh is dropped (a null answer removes the entry); a refresh
             * that fails (user-svc down or slow) keeps the answer in use, as the cache did before it
             * was due: a deletion still drops it at once (UserDeleted).
             */
            @Override
            public CompletableFuture<Boolean> asyncReload(String email, Boolean old, Executor executor) {
                return ask(email).handle((exists, failed) -> {
                    if (failed != null) {
                        log.debug("checking {} again failed, keeping its answer: {}", email, failed.toString());
                        return old;
                    }
                    return exists ? Boolean.TRUE : null;
                });
            }
        });
    }

    @Override
    public CompletableFuture<List<String>> unregisteredAsync(List<String> emails) {
        Map<String, CompletableFuture<Boolean>> asked = new LinkedHashMap<>();
        for (String email : emails) {
            CompletableFuture<Boolean> answer = known.get(email);
            // only "registered" is remembered: a user who registers a moment later is found at once
            answer.thenAccept(exists -> {
                if (!exists) {
                    known.asMap().remove(email, answer);
                }
            });
            asked.put(email, answer);
        }
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    List<String> missing = new ArrayList<>();
                    asked.forEach((email, exists) -> {
                        if (!exists.join()) {
                            missing.add(email);
                        }
                    });
                    return missing;
                });
    }

    /**
     * One {@code CheckUserExists}, outside the gRPC context of the send that started it: the answer
     * is shared by every send waiting for that user and by the cache (a refresh outlives its send),
     * so the first send's end or cancellation must not cancel it.
     */
    private CompletableFuture<Boolean> ask(String email) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        CheckUserExistsRequest request =
                CheckUserExistsRequest.newBuilder().setEmail(email).build();
        ListenableFuture<CheckUserExistsResponse> call;
        Context previous = Context.ROOT.attach();
        try {
            call = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .checkUserExists(request);
        } finally {
            Context.ROOT.detach(previous);
        }
        Futures.addCallback(
                call,
                new FutureCallback<CheckUserExistsResponse>() {
                    @Override
                    public void onSuccess(CheckUserExistsResponse r) {
                        answer.complete(r.getExists());
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        answer.completeExceptionally(failure(t));
                    }
                },
                MoreExecutors.directExecutor());
        return answer;
    }

    public void forget(String email) {
        known.synchronous().invalidate(email);
    }

    private static ServiceException failure(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            ErrorCode code = ErrorCode.fromGrpc(sre.getStatus().getCode());
            if (code == ErrorCode.UNAVAILABLE) {
                return new ServiceException(
                        ErrorCode.UNAVAILABLE,
                        "user-svc is unavailable, so the users cannot be checked; try again shortly");
            }
            return new ServiceException(
                    ErrorCode.INTERNAL,
                    "user-svc refused the user check: " + sre.getStatus().getCode());
        }
        return new ServiceException(ErrorCode.UNAVAILABLE, "user check failed: " + t);
    }
}
