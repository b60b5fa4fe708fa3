package parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.SubscribeRequest;
import parley.notification.v1.Notification;
import parley.runtime.grpc.PeerChannel;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.RegisterUserRequest;
import parley.user.v1.UserServiceGrpc;

/** The load run's users: registered and signed in over gRPC, a few at a time, and subscribed. */
final class BenchUsers {
    private BenchUsers() {}

    static Map<String, String> register(ManagedChannel channel, List<String> senders, List<String> receivers)
            throws Exception {
        Map<String, String> tokens = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        List<String> all = new ArrayList<>(senders);
        all.addAll(receivers);
        for (String email : all) {
            done.add(pool.submit(() -> {
                var stub = UserServiceGrpc.newBlockingStub(channel);
                stub.registerUser(RegisterUserRequest.newBuilder()
                        .setName("bench")
                        .setEmail(email)
                        .setPassword("bench-password")
                        .build());
                tokens.put(
                        email,
                        stub.authenticateUser(AuthenticateUserRequest.newBuilder()
                                        .setEmail(email)
                                        .setPassword("bench-password")
                                        .build())
                                .getToken());
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return tokens;
    }

    /** Opens a live {@code Subscribe} stream for the user; what arrives is counted in the tally. */
    static void subscribe(ManagedChannel channel, String email, String token, Tally tally) {
        FrontendServiceGrpc.newStub(channel)
                .withCallCredentials(PeerChannel.bearer(token))
                .subscribe(SubscribeRequest.newBuilder().setEmail(email).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(Notification n) {
                        tally.received(n.getMessageId(), n.getPreview(), n.getId());
                    }

                    @Override
                    public void onError(Throwable t) {
                        tally.streamFailed("Subscribe: " + t);
                    }

                    @Override
                    public void onCompleted() {}
                });
    }
}
