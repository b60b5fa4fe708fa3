package parley.runtime.tracing;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * OpenTelemetry tracing, configured by the standard variables ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_EXPORTER_OTLP_PROTOCOL}, {@code OTEL_TRACES_SAMPLER}, {@code OTEL_BSP_*},
 * {@code OTEL_SERVICE_NAME}, or their {@code otel.*} system properties). Without an endpoint it is
 * off: nothing is installed and every call here is a no-op.
 *
 * <p>One SDK per process, installed as {@link GlobalOpenTelemetry} by the service's main (as the
 * OpenTelemetry Java agent would, but the services stay plain jars). Services started inside a
 * test JVM are not traced unless the test installs it.
 *
 * <p>Across the event stream and Pub/Sub, where no transport carries headers, the W3C {@code
 * traceparent} travels as a field of the entry or the notification.
 */
public final class Tracing {
    /** The field (stream entry, notification) that carries the W3C trace context. */
    public static final String TRACEPARENT = "traceparent";

    private static final String SCOPE = "parley";
    private static volatile boolean enabled;

    private Tracing() {}

    /**
     * Installs the SDK when an OTLP endpoint is configured; {@code serviceName} is the default
     * {@code service.name}. Exports over {@code http/protobuf} unless told otherwise.
     */
    public static synchronized void init(String serviceName) {
        if (enabled || !configured()) {
            return;
        }
        AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", serviceName,
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .setResultAsGlobal()
                .build();
        enabled = true;
    }

    /** An OTLP endpoint is set (a blank one counts as unset) and the traces exporter is not {@code none}. */
    private static boolean configured() {
        boolean endpoint = Stream.of("otel.exporter.otlp.endpoint", "otel.exporter.otlp.traces.endpoint")
                .map(Tracing::setting)
                .anyMatch(value -> value != null && !value.isBlank());
        return endpoint && !"none".equals(setting("otel.traces.exporter"));
    }

    /** A setting as autoconfigure reads it: the system property, else the environment variable. */
    private static String setting(String property) {
        String value = System.getProperty(property);
        return value != null
                ? value
                : System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
    }

    /** Whether spans are recorded and exported in this process. */
    public static boolean enabled() {
        return enabled;
    }

    public static OpenTelemetry otel() {
        return GlobalOpenTelemetry.get();
    }

    public static Tracer tracer() {
        return otel().getTracer(SCOPE);
    }

    /** The gRPC server interceptor (spans for every served call), when tracing is on. */
    public static Optional<ServerInterceptor> serverInterceptor() {
        return enabled ? Optional.of(GrpcTelemetry.create(otel()).createServerInterceptor()) : Optional.empty();
    }

    /** The gRPC client interceptor (spans and context for every outgoing call), when tracing is on. */
    public static Optional<ClientInterceptor> clientInterceptor() {
        return enabled ? Optional.of(GrpcTelemetry.create(otel()).createClientInterceptor()) : Optional.empty();
    }

    /** {@code work}, to run later (on any thread) in the trace context current now. */
    public static <T> Supplier<T> carry(Supplier<T> work) {
        return enabled ? Context.current().wrapSupplier(work) : work;
    }

    /** {@code work}, to run later (on any thread) in the trace context current now. */
    public static Runnable carry(Runnable work) {
        return enabled ? Context.current().wrap(work) : work;
    }

    /** {@code work}, to run later (on any thread) in the trace context current now. */
    public static <A, B> Function<A, B> carry(Function<A, B> work) {
        return enabled ? Context.current().wrapFunction(work) : work;
    }

    /** The current context as a W3C traceparent, or null when nothing is traced. */
    public static String traceparent() {
        return enabled ? traceparent(Context.current()) : null;
    }

    public static String traceparent(Context context) {
        if (!enabled || !Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        otel().getPropagators().getTextMapPropagator().inject(context, carrier, MAP_SETTER);
        return carrier.get(TRACEPARENT);
    }

    /** The context a traceparent names (the root context for none or a malformed one). */
    public static Context extract(String traceparent) {
        if (!enabled || traceparent == null || traceparent.isEmpty()) {
            return Context.root();
        }
        return otel().getPropagators()
                .getTextMapPropagator()
                .extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER);
    }

    /** Starts a span of {@code kind} under {@code parent}; a no-op span when tracing is off. */
    public static Span start(String name, SpanKind kind, Context parent) {
        if (!enabled) {
            return Span.getInvalid();
        }
        return tracer().spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }

    /** Ends the span when the stage completes, marking it failed when the stage fails. */
    public static <T> CompletionStage<T> endWhenDone(Span span, CompletionStage<T> stage) {
        if (!span.getSpanContext().isValid()) {
            return stage;
        }
        return stage.whenComplete((ok, error) -> {
            if (error != null) {
                span.recordException(error);
                span.setStatus(StatusCode.ERROR, error.toString());
            }
            span.end();
        });
    }

    private static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}
