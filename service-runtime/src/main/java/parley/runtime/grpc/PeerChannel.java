package parley.runtime.grpc;

import io.grpc.CallCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import parley.runtime.tracing.Tracing;

/**
 * A long-lived channel to a peer service, plaintext, with gRPC's own retry policy for UNAVAILABLE
 * (exponential backoff with jitter) and keep-alives so a dead peer is noticed.
 */
public final class PeerChannel implements AutoCloseable {
    private final ManagedChannel channel;

    /**
     * @param hostPort {@code host:port}, or several separated by commas (instances of one peer: the
     *     first that answers is used, the next when it goes away)
     */
    public PeerChannel(String hostPort, int maxAttempts) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(AddressList.target(hostPort));
        Tracing.clientInterceptor().ifPresent(builder::intercept);
        this.channel = builder.usePlaintext()
                .defaultServiceConfig(retryConfig(maxAttempts))
                .enableRetry()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                // answers are handled on the transport's event loop, no hand-off to a pool thread:
                // every asynchronous caller only completes futures or queues work (blocking stubs
                // wait on their own thread whatever this says)
                .directExecutor()
                .build();
    }

    public PeerChannel(String hostPort) {
        this(hostPort, 3);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** True when the channel is connected or can connect now (used by /ready). */
    public boolean reachable() {
        ConnectivityState state = channel.getState(true);
        return state == ConnectivityState.READY || state == ConnectivityState.IDLE;
    }

    private static Map<String, Object> retryConfig(int maxAttempts) {
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts",
                (double) Math.max(2, Math.min(5, maxAttempts)),
                "initialBackoff",
                "0.1s",
                "maxBackoff",
                "1s",
                "backoffMultiplier",
                2.0,
                "retryableStatusCodes",
                List.of("UNAVAILABLE"));
        return Map.of("methodConfig", List.of(Map.of("name", List.of(Map.of()), "retryPolicy", retryPolicy)));
    }

    /** Call credentials that send {@code authorization: Bearer <token>}. */
    public static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
