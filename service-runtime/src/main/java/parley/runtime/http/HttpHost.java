package parley.runtime.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.tracing.HttpTracing;
import parley.runtime.tracing.Tracing;

/**
 * The HTTP side of a service: Javalin with strict JSON, errors mapped once ({@link HttpErrors}), a
 * request size limit, per-route request metrics, and {@code /health}, {@code /ready}, {@code
 * /metrics}.
 */
public final class HttpHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpHost.class);
    private final List<String> routeTable = new CopyOnWriteArrayList<>();
    /** Largest accepted request body. */
    public static final long MAX_BODY_BYTES = 64 * 1024;
    /** How long a stop waits for in-flight requests. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Javalin app;

    public HttpHost(
            int port,
            Consumer<RoutesConfig> routes,
            List<ReadinessCheck> checks,
            PrometheusMeterRegistry registry,
            Consumer<JavalinConfig> extra) {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            // the route table as registered (tests read it: the fuzz suite, the authorization matrix)
            cfg.events.handlerAdded(info -> {
                if (info.getHttpMethod().isHttpMethod()) {
                    routeTable.add(info.getHttpMethod().name() + " " + info.getPath());
                }
            });
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.port = port;
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
            // graceful stop: refuse new requests, let in-flight ones finish (up to the timeout)
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new JettyErrors());
                server.insertHandler(new GracefulHandler());
                if (Tracing.enabled()) { // off: not even a handler layer on the request path
                    server.insertHandler(new HttpTracing());
                }
                server.setStopTimeout(STOP_TIMEOUT.toMillis());
            });
            cfg.requestLogger.http((ctx, ms) -> Timer.builder("http.server.requests")
                    .tag("method", ctx.method().name())
                    .tag("route", routeOf(ctx))
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .register(registry)
                    .record(Duration.ofNanos((long) (ms * 1_000_000))));
            HttpErrors.install(cfg.routes);
            if (Tracing.enabled()) {
                cfg.routes.beforeMatched(ctx -> {
                    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
                    if (matched != null) {
                        HttpTracing.nameAfterRoute(ctx.method().name(), matched.path);
                    }
                });
            }
            cfg.routes.get("/health", ctx -> ctx.json(Map.of("status", "alive")));
            cfg.routes.get("/ready", ctx -> {
                Map<String, String> results = new LinkedHashMap<>();
                boolean ready = true;
                for (ReadinessCheck check : checks) {
                    boolean ok = safe(check);
                    ready &= ok;
                    results.put(check.name(), ok ? "up" : "down");
                }
                ctx.status(ready ? 200 : 503).json(Map.of("status", ready ? "ready" : "not ready", "checks", results));
            });
            cfg.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                            .result(scrape(registry)));
            routes.accept(cfg.routes);
            extra.accept(cfg);
        });
    }

    /**
     * The Prometheus text. A scrape that races a meter being updated or registered can be refused
     * by the Prometheus model's validation (an inconsistent histogram snapshot, for one); that is
     * logged and the scrape taken once more, so a monitoring system does not see a 500 for it.
     * Failing twice is a real fault and answers 500 like any other.
     */
    private static String scrape(PrometheusMeterRegistry registry) {
        try {
            return registry.scrape();
        } catch (RuntimeException raced) {
            log.warn("a metrics scrape failed; taking it again", raced);
            return registry.scrape();
        }
    }

    /** The matched route pattern (bounded cardinality), or "unmatched". */
    private static String routeOf(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException none) {
            return "unmatched";
        }
    }

    private static boolean safe(ReadinessCheck check) {
        try {
            return check.healthy().getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    public HttpHost start() {
        app.start();
        return this;
    }

    /** Every route as {@code METHOD /path} (path parameters as {@code {name}}), in registration order. */
    public List<String> routes() {
        return List.copyOf(routeTable);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
