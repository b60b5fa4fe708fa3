package parley.frontend.live;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import parley.contract.NotificationJson.Parsed;
import parley.notification.v1.Notification;
import parley.runtime.tracing.Tracing;

/**
 * The live path's part of a message's trace: a span when a pushed notification is received (the
 * Pub/Sub payload then carries that span's context to every instance), and one per write to a
 * live connection. Nothing happens while tracing is off or a notification carries no trace.
 */
public final class LiveTracing {
    private final List<Span> spans;
    private final List<Notification> notifications;

    private LiveTracing(List<Span> spans, List<Notification> notifications) {
        this.spans = spans;
        this.notifications = notifications;
    }

    /** Starts a span per traced notification of a push batch; {@link #notifications()} carry them. */
    public static LiveTracing received(List<Notification> batch) {
        if (!Tracing.enabled()) {
            return new LiveTracing(List.of(), batch);
        }
        List<Span> spans = new ArrayList<>();
        List<Notification> out = new ArrayList<>(batch.size());
        for (Notification n : batch) {
            if (n.getTraceparent().isEmpty()) {
                out.add(n);
                continue;
            }
            Span span = Tracing.start("receive push", SpanKind.CONSUMER, Tracing.extract(n.getTraceparent()));
            span.setAttribute("parley.notification.id", n.getId());
            spans.add(span);
            out.add(n.toBuilder()
                    .setTraceparent(Tracing.traceparent(Context.root().with(span)))
                    .build());
        }
        return new LiveTracing(spans, out);
    }

    /** The batch, each traced notification carrying its receive span's context. */
    public List<Notification> notifications() {
        return notifications;
    }

    /** The batch was published (or failed to be). */
    public void end() {
        spans.forEach(Span::end);
    }

    /** {@link LiveSink#send}, with a span for each traced notification written. */
    static boolean send(LiveSink sink, List<Parsed> batch, List<String> cursors) {
        List<Span> spans = writing(batch, sink.transport());
        try {
            return sink.send(batch, cursors);
        } finally {
            spans.forEach(Span::end);
        }
    }

    private static List<Span> writing(List<Parsed> batch, String transport) {
        if (!Tracing.enabled()) {
            return List.of();
        }
        List<Span> spans = new ArrayList<>();
        for (Parsed p : batch) {
            String traceparent = p.notification().getTraceparent();
            if (!traceparent.isEmpty()) {
                Span span = Tracing.start("live write", SpanKind.PRODUCER, Tracing.extract(traceparent));
                span.setAttribute("parley.notification.id", p.id());
                span.setAttribute("parley.live.transport", transport);
                spans.add(span);
            }
        }
        return spans;
    }
}
