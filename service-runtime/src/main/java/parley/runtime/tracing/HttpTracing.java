package parley.runtime.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A SERVER span for every HTTP request (continuing a {@code traceparent} header), current while
 * the request is dispatched so that calls it makes (gRPC, Redis scripts) become its children; it
 * ends when the response is complete. Javalin names it after the matched route ({@link
 * #nameAfterRoute}). Health, readiness and metrics requests are not traced.
 */
public final class HttpTracing extends Handler.Wrapper {
    private static final Set<String> UNTRACED = Set.of("/health", "/ready", "/metrics");

    private static final TextMapGetter<HttpFields> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields carrier) {
            return carrier.getFieldNamesCollection();
        }

        @Override
        public String get(HttpFields carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!Tracing.enabled() || UNTRACED.contains(request.getHttpURI().getPath())) {
            return super.handle(request, response, callback);
        }
        Context parent = Tracing.otel()
                .getPropagators()
                .getTextMapPropagator()
                .extract(Context.root(), request.getHeaders(), HEADERS);
        Span span = Tracing.start(request.getMethod(), SpanKind.SERVER, parent);
        span.setAttribute("http.request.method", request.getMethod());
        span.setAttribute("url.path", request.getHttpURI().getPath());
        Callback ending = new Callback() {
            @Override
            public void succeeded() {
                end(span, response);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                span.recordException(x);
                end(span, response);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        try (Scope ignored = span.makeCurrent()) {
            return super.handle(request, response, ending);
        }
    }

    private static void end(Span span, Response response) {
        int status = response.getStatus();
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** Renames the request's span {@code METHOD route} once the route is known. */
    public static void nameAfterRoute(String method, String route) {
        Span span = Span.current();
        if (span.isRecording()) {
            span.updateName(method + " " + route);
            span.setAttribute("http.route", route);
        }
    }
}
