package parley.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.runtime.auth.TokenService;
import parley.user.v1.CheckUserExistsRequest;
import parley.user.v1.CheckUserExistsResponse;
import parley.user.v1.GetUserRequest;
import parley.user.v1.User;
import parley.user.v1.UserServiceGrpc;

/** A real server on a free port: which thread runs a call, and what happens when the pool is full. */
class BlockingCallsInterceptorTest {
    private final AtomicReference<String> checkThread = new AtomicReference<>();
    private final AtomicReference<String> getThread = new AtomicReference<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private GrpcServerRunner server;
    private ManagedChannel channel;

    private final class Service extends UserServiceGrpc.UserServiceImplBase {
        @Override
        public void checkUserExists(CheckUserExistsRequest r, StreamObserver<CheckUserExistsResponse> response) {
            checkThread.set(Thread.currentThread().getName());
            response.onNext(CheckUserExistsResponse.newBuilder().setExists(true).build());
            response.onCompleted();
        }

        @Override
        public void getUser(GetUserRequest r, StreamObserver<User> response) {
            getThread.set(Thread.currentThread().getName());
            if (r.getEmail().startsWith("block")) {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            response.onNext(User.newBuilder().setEmail(r.getEmail()).build());
            response.onCompleted();
        }
    }

    @BeforeEach
    void start() {
        TokenService tokens = new TokenService("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        server = GrpcServerRunner.onPort(
                        0,
                        new AuthInterceptor(tokens, m -> Access.PUBLIC),
                        List.of(new Service()),
                        UserServiceGrpc.getCheckUserExistsMethod().getFullMethodName()::equals,
                        1,
                        1)
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        channel.shutdownNow();
        server.close();
    }

    @Test
    void aNonBlockingMethodRunsOnTheEventLoopAndTheOthersOnThePool() {
        var stub = UserServiceGrpc.newBlockingStub(channel);
        stub.checkUserExists(
                CheckUserExistsRequest.newBuilder().setEmail("a@x.io").build());
        stub.getUser(GetUserRequest.newBuilder().setEmail("a@x.io").build());
        assertThat(checkThread.get()).startsWith("grpc-default-worker");
        assertThat(getThread.get()).startsWith("grpc-blocking-");
    }

    @Test
    void aFullPoolRefusesNewCallsButStillServesTheNonBlockingOnes() throws Exception {
        var async = UserServiceGrpc.newFutureStub(channel);
        var first = async.getUser(
                GetUserRequest.newBuilder().setEmail("block1@x.io").build()); // holds the one thread
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        var second =
                async.getUser(GetUserRequest.newBuilder().setEmail("b@x.io").build()); // the one queue place
        await().atMost(Duration.ofSeconds(10)).until(() -> server.offload().queued() == 1);

        var stub = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stub.getUser(
                        GetUserRequest.newBuilder().setEmail("c@x.io").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("retry later");
                });
        assertThat(stub.checkUserExists(CheckUserExistsRequest.newBuilder()
                                .setEmail("a@x.io")
                                .build())
                        .getExists())
                .isTrue();

        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).getEmail()).isEqualTo("block1@x.io");
        assertThat(second.get(10, TimeUnit.SECONDS).getEmail()).isEqualTo("b@x.io");
    }
}
