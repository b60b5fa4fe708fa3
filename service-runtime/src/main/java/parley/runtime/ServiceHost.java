package parley.runtime;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.AuthInterceptor;
import parley.runtime.grpc.GrpcServerRunner;
import parley.runtime.http.HttpHost;
import parley.runtime.http.ReadinessCheck;

/**
 * A running service: its gRPC and HTTP servers and the resources behind them. Closing it shuts
 * down gracefully: health goes NOT_SERVING, drain steps end long-lived streams, the servers stop
 * taking requests and finish in-flight ones, then resources close in reverse order (consumers
 * before Redis connections).
 */
public final class ServiceHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceHost.class);

    private final String name;
    private final GrpcServerRunner grpc;
    private final HttpHost http;
    private final List<AutoCloseable> resources;
    private final List<Runnable> drains;
    private volatile boolean closed;

    private ServiceHost(
            String name, GrpcServerRunner grpc, HttpHost http, List<AutoCloseable> resources, List<Runnable> drains) {
        this.name = name;
        this.grpc = grpc;
        this.http = http;
        this.resources = resources;
        this.drains = drains;
    }

    public static Builder builder(String name, TokenService tokens, PrometheusMeterRegistry registry) {
        return new Builder(name, tokens, registry);
    }

    /**
     * Builds and starts a service in one step: {@code setup} creates its parts, handing each resource
     * to {@link Builder#owns} as it is created, and configures the servers. If anything fails (in
     * setup or while the servers start), the drain steps run and everything owned so far is closed,
     * newest first, and the failure is thrown: a failed start leaks no connection, thread or channel.
     */
    public static ServiceHost start(
            String name, TokenService tokens, PrometheusMeterRegistry registry, Consumer<Builder> setup) {
        Builder builder = new Builder(name, tokens, registry);
        try {
            setup.accept(builder);
            return builder.start();
        } catch (RuntimeException e) {
            for (Runnable drain : builder.drains) {
                try {
                    drain.run();
                } catch (RuntimeException alsoFailed) {
                    e.addSuppressed(alsoFailed);
                }
            }
            closeAll(name, builder.resources);
            throw e;
        }
    }

    private static void closeAll(String name, List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("{}: closing {} failed: {}", name, resources.get(i), e.toString());
            }
        }
    }

    public int grpcPort() {
        return grpc.port();
    }

    public int httpPort() {
        return http.port();
    }

    /** The REST route table, {@code METHOD /path} per route (health, readiness and metrics included). */
    public List<String> routes() {
        return http.routes();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("{} stopping", name);
        grpc.enterDraining();
        for (Runnable drain : drains) {
            try {
                drain.run();
            } catch (RuntimeException e) {
                log.warn("{}: draining failed: {}", name, e.toString());
            }
        }
        http.close();
        grpc.close();
        closeAll(name, resources);
        log.info("{} stopped", name);
    }

    /** Collects the parts of a service, then starts both servers. */
    public static final class Builder {
        private final String name;
        private final TokenService tokens;
        private final PrometheusMeterRegistry registry;
        private final List<BindableService> services = new ArrayList<>();
        private final List<ReadinessCheck> checks = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();
        private final List<Runnable> drains = new ArrayList<>();
        private Function<String, Access> access = m -> Access.USERS;
        private Consumer<RoutesConfig> routes = r -> {};
        private Consumer<JavalinConfig> extra = c -> {};
        private int httpPort;
        private int grpcPort;
        private Predicate<String> nonBlocking = method -> false;

        private Builder(String name, TokenService tokens, PrometheusMeterRegistry registry) {
            this.name = name;
            this.tokens = tokens;
            this.registry = registry;
        }

        public Builder ports(int httpPort, int grpcPort) {
            this.httpPort = httpPort;
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder grpc(Function<String, Access> access, BindableService... services) {
            this.access = access;
            this.services.addAll(List.of(services));
            return this;
        }

        /**
         * Handles every gRPC call on the transport's event loop, in arrival order per connection. Every
         * handler of the service (and the interceptors) must then be non-blocking.
         */
        public Builder grpcOnEventLoop() {
            this.nonBlocking = method -> true;
            return this;
        }

        /**
         * Handles these methods on the transport's event loop, with no thread hand-off (they must only
         * start asynchronous work); the others run on a bounded pool.
         */
        public Builder grpcOnEventLoop(MethodDescriptor<?, ?>... methods) {
            Set<String> names = Arrays.stream(methods)
                    .map(MethodDescriptor::getFullMethodName)
                    .collect(Collectors.toUnmodifiableSet());
            this.nonBlocking = names::contains;
            return this;
        }

        public Builder http(Consumer<RoutesConfig> routes) {
            this.routes = routes;
            return this;
        }

        /** Further Javalin configuration (static files, SSE settings). */
        public Builder javalin(Consumer<JavalinConfig> extra) {
            this.extra = extra;
            return this;
        }

        public Builder ready(ReadinessCheck check) {
            checks.add(check);
            return this;
        }

        /** Runs first on shutdown, while the servers still run (e.g. to end live streams cleanly). */
        public Builder drain(Runnable step) {
            drains.add(step);
            return this;
        }

        /** Tokens are checked against {@code revocations}; ready once it has read its history. */
        public Builder revocations(Revocations revocations) {
            tokens.revokedBy(revocations);
            checks.add(new ReadinessCheck("revocations", revocations::caughtUp));
            return resources.contains(revocations) ? this : closes(revocations);
        }

        /** Something to close on shutdown, after the servers; closed in reverse order of adding. */
        public Builder closes(AutoCloseable resource) {
            resources.add(resource);
            return this;
        }

        /**
         * Takes {@code resource} as it is created: closed on shutdown (after the servers, newest
         * first), or at once if the start fails.
         */
        public <T extends AutoCloseable> T owns(T resource) {
            resources.add(resource);
            return resource;
        }

        public ServiceHost start() {
            GrpcServerRunner grpc = GrpcServerRunner.onPort(
                            grpcPort, new AuthInterceptor(tokens, access), services, nonBlocking)
                    .start();
            HttpHost http;
            try {
                http = new HttpHost(httpPort, routes, checks, registry, extra).start();
            } catch (RuntimeException e) {
                grpc.close();
                throw e;
            }
            log.info("{} listening: HTTP {}, gRPC {}", name, http.port(), grpc.port());
            return new ServiceHost(name, grpc, http, resources, drains);
        }
    }
}
