package parley.runtime.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a gRPC server with the service's implementations behind the auth and error-mapping
 * interceptors, plus the standard health service and server reflection (so grpcurl works).
 */
public final class GrpcServerRunner implements AutoCloseable {
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private boolean draining;

  // ProtoReflectionService (v1alpha) is deprecated but still what older grpcurl versions ask for
  @SuppressWarnings("deprecation")
  public GrpcServerRunner(ServerBuilder<?> builder, AuthInterceptor auth, List<BindableService> services) {
    for (BindableService service : services) {
      builder.addService(
          ServerInterceptors.intercept(service, new ErrorMappingInterceptor(), auth));
    }
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    builder.addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance());
    this.server = builder.build();
  }

  /**
   * @param onEventLoop run handlers on the transport's event loop ({@code directExecutor}) rather
   *     than a thread pool: the calls of one connection are then handled in the order they arrive,
   *     with no thread hop. Only for services whose handlers never block.
   */
  public static GrpcServerRunner onPort(int port, AuthInterceptor auth, List<BindableService> services, boolean onEventLoop) {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(port))
            .maxInboundMessageSize(1 << 20)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    if (onEventLoop) {
      builder.directExecutor();
    }
    return new GrpcServerRunner(builder, auth, services);
  }

  public GrpcServerRunner start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start gRPC server: " + e.getMessage(), e);
    }
    return this;
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
    }
  }
}
