package parley.message.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.launcher.FreePorts;
import parley.runtime.grpc.PeerChannel;
import parley.user.v1.CheckUserExistsRequest;
import parley.user.v1.CheckUserExistsResponse;
import parley.user.v1.UserServiceGrpc;

/** The user checks' cache, against a real gRPC server standing in for user-svc's CheckUserExists. */
class GrpcUserDirectoryTest {
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private volatile long answerAfterMs;
    private Server server;
    private PeerChannel channel;

    @BeforeEach
    void start() throws Exception {
        int port = FreePorts.next();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new UserServiceGrpc.UserServiceImplBase() {
                    @Override
                    public void checkUserExists(
                            CheckUserExistsRequest request, StreamObserver<CheckUserExistsResponse> answer) {
                        asked.incrementAndGet();
                        try {
                            Thread.sleep(answerAfterMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        if (Context.current().isCancelled()) {
                            cancelled.incrementAndGet();
                            return;
                        }
                        answer.onNext(CheckUserExistsResponse.newBuilder()
                                .setExists(registered.contains(request.getEmail()))
                                .build());
                        answer.onCompleted();
                    }
                })
                .build()
                .start();
        channel = new PeerChannel("127.0.0.1:" + port);
    }

    @AfterEach
    void stop() throws Exception {
        channel.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GrpcUserDirectory directory(Duration cacheFor) {
        return new GrpcUserDirectory(channel, PeerChannel.bearer("test"), Duration.ofSeconds(5), cacheFor);
    }

    @Test
    void anAnswerHalfItsTimeOldIsCheckedAgainInTheBackgroundWhileTheSendGoesOnWithIt() throws Exception {
        registered.add("fc@example.com");
        GrpcUserDirectory users = directory(Duration.ofSeconds(6));
        long loaded = System.nanoTime();
        assertThat(users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS))
                .isEmpty();
        assertThat(asked).hasValue(1);

        Thread.sleep(3200); // past half of the 6 s: the next use refreshes
        answerAfterMs = 1500; // user-svc slow now
        long started = System.nanoTime();
        assertThat(users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS))
                .isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("answered from the cache, not after user-svc's 1.5 s")
                .isLessThan(Duration.ofMillis(1000));
        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() == 2); // the refresh went out

        // refreshed, the entry lives on past the first answer's 6 s without another call
        answerAfterMs = 0;
        Thread.sleep(Math.max(0, Duration.ofMillis(6500).toNanos() - (System.nanoTime() - loaded)) / 1_000_000);
        assertThat(users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS))
                .isEmpty();
        assertThat(asked).hasValue(2);
    }

    @Test
    void aUserFoundGoneOnARefreshIsDroppedAndCheckedAgainOnTheNextSend() throws Exception {
        registered.add("fc@example.com");
        GrpcUserDirectory users = directory(Duration.ofSeconds(2));
        assertThat(users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS))
                .isEmpty();
        registered.remove("fc@example.com");

        Thread.sleep(1200);
        users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS); // starts the refresh
        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() == 2);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> users.unregisteredAsync(List.of("fc@example.com"))
                        .get(5, TimeUnit.SECONDS)
                        .equals(List.of("fc@example.com")));
    }

    /** The check is shared: the send that started it ending (its gRPC context cancelled) must not fail the others. */
    @Test
    void aCheckSharedBySeveralSendsOutlivesTheCancelledSendThatStartedIt() throws Exception {
        registered.add("fc@example.com");
        GrpcUserDirectory users = directory(Duration.ofSeconds(60));
        answerAfterMs = 500;
        Context.CancellableContext first = Context.current().withCancellation();
        CompletableFuture<List<String>> firstSend =
                first.call(() -> users.unregisteredAsync(List.of("fc@example.com")));
        CompletableFuture<List<String>> secondSend = users.unregisteredAsync(List.of("fc@example.com"));
        first.cancel(null); // the first send's client went away

        assertThat(secondSend.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(firstSend.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(asked).hasValue(1);
        assertThat(cancelled).hasValue(0);
    }

    @Test
    void aRefreshOutlivesTheSendThatStartedIt() throws Exception {
        registered.add("fc@example.com");
        GrpcUserDirectory users = directory(Duration.ofSeconds(4));
        users.unregisteredAsync(List.of("fc@example.com")).get(5, TimeUnit.SECONDS);
        Thread.sleep(2200);
        answerAfterMs = 500;
        Context.CancellableContext send = Context.current().withCancellation();
        send.call(() -> users.unregisteredAsync(List.of("fc@example.com"))).get(5, TimeUnit.SECONDS);
        send.cancel(null); // the send is answered from the cache and ends; its refresh goes on

        await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() == 2);
        Thread.sleep(1000);
        assertThat(cancelled).hasValue(0);
    }

    @Test
    void withNoCacheTimeEveryCheckAsksUserSvc() throws Exception {
        registered.add("fc@example.com");
        GrpcUserDirectory users = directory(Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            assertThat(users.unregisteredAsync(List.of("fc@example.com", "nobody@example.com"))
                            .get(5, TimeUnit.SECONDS))
                    .containsExactly("nobody@example.com");
        }
        assertThat(asked).hasValue(6);
    }
}
