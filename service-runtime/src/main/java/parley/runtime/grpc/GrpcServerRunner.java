package parley.runtime.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import parley.runtime.tracing.Tracing;

/**
 * Starts a gRPC server with the service's implementations behind the auth and error-mapping
 * interceptors, plus the standard health service and server reflection (so grpcurl works).
 */
public final class GrpcServerRunner implements AutoCloseable {
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private boolean draining;
    private BlockingCallsInterceptor offload;

    // ProtoReflectionService (v1alpha) is deprecated but still what older grpcurl versions ask for
    @SuppressWarnings("deprecation")
    private GrpcServerRunner(
            ServerBuilder<?> builder, List<ServerInterceptor> interceptors, List<BindableService> services) {
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, interceptors));
        }
        builder.addService(health.getHealthService());
        builder.addService(ProtoReflectionServiceV1.newInstance());
        builder.addService(ProtoReflectionService.newInstance());
        this.server = builder.build();
    }

    /**
     * Calls arrive on the transport's event loop ({@code directExecutor}). Methods for which
     * {@code nonBlocking} holds are handled right there, with no thread hand-off, in arrival order
     * per connection; they must only start asynchronous work. Every other method is moved to a
     * bounded pool ({@link BlockingCallsInterceptor}).
     *
     * @param nonBlocking tested with full method names ({@code package.Service/Method})
     */
    public static GrpcServerRunner onPort(
            int port, AuthInterceptor auth, List<BindableService> services, Predicate<String> nonBlocking) {
        return onPort(
                port, auth, services, nonBlocking, BlockingCallsInterceptor.THREADS, BlockingCallsInterceptor.QUEUE);
    }

    static GrpcServerRunner onPort(
            int port,
            AuthInterceptor auth,
            List<BindableService> services,
            Predicate<String> nonBlocking,
            int threads,
            int queue) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(port))
                .maxInboundMessageSize(1 << 20)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .directExecutor();
        BlockingCallsInterceptor offload = new BlockingCallsInterceptor(nonBlocking, threads, queue);
        // the last interceptor sees a call first: offload's hop happens before auth and error mapping
        List<ServerInterceptor> interceptors = new ArrayList<>(List.of(new ErrorMappingInterceptor(), auth, offload));
        Tracing.serverInterceptor().ifPresent(interceptors::add); // outermost: the span covers the whole call
        GrpcServerRunner runner = new GrpcServerRunner(builder, interceptors, services);
        runner.offload = offload;
        return runner;
    }

    public GrpcServerRunner start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start gRPC server: " + e.getMessage(), e);
        }
        return this;
    }

    BlockingCallsInterceptor offload() {
        return offload;
    }

    public int port() {
        return server.getPort();
    }

    /** Marks every service NOT_SERVING, so health checks fail before the server goes away. */
    public synchronized void enterDraining() {
        if (!draining) {
            draining = true;
            health.enterTerminalState();
        }
    }

    @Override
    public void close() {
        enterDraining();
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            if (offload != null) {
                offload.close();
            }
        }
    }
}
