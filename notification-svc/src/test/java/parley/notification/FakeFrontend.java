package parley.notification;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.PushBatch;
import parley.frontend.v1.PushResult;
import parley.frontend.v1.ReceiveNotificationResponse;
import parley.notification.v1.Notification;

/** A real gRPC FrontendService on a fixed port that a test can stop, restart and set online/offline. */
final class FakeFrontend implements AutoCloseable {
    final int port;
    final List<Notification> received = new CopyOnWriteArrayList<>();
    volatile boolean online = true;
    /** When false, pushed batches are received but never answered (a stalled frontend). */
    volatile boolean answering = true;

    private Server server;

    FakeFrontend(int port) {
        this.port = port;
    }

    FakeFrontend start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new FrontendServiceGrpc.FrontendServiceImplBase() {
                    @Override
                    public StreamObserver<PushBatch> pushNotifications(StreamObserver<PushResult> results) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(PushBatch batch) {
                                received.addAll(batch.getNotificationsList());
                                if (!answering) {
                                    return;
                                }
                                PushResult.Builder r = PushResult.newBuilder().setSeq(batch.getSeq());
                                batch.getNotificationsList().forEach(n -> r.addDelivered(online));
                                results.onNext(r.build());
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {
                                results.onCompleted();
                            }
                        };
                    }

                    @Override
                    public void receiveNotification(
                            Notification n, StreamObserver<ReceiveNotificationResponse> response) {
                        received.add(n);
                        response.onNext(ReceiveNotificationResponse.newBuilder()
                                .setDelivered(online)
                                .build());
                        response.onCompleted();
                    }
                })
                .build()
                .start();
        return this;
    }

    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            stop();
        }
    }
}
