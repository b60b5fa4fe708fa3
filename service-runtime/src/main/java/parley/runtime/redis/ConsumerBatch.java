package parley.runtime.redis;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.EventDecodingException;
import parley.runtime.error.Unavailable;
import parley.runtime.tracing.Tracing;

/**
 * Processes one batch of stream entries: decodes each, hands every one to the handler before
 * awaiting any (their Redis calls travel pipelined), acknowledges those that succeeded in one
 * {@code XACK}, then runs their after-ack steps. A failure leaves only its own entry pending.
 */
final class ConsumerBatch {
    private static final Logger log = LoggerFactory.getLogger(ConsumerBatch.class);
    static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The waits before handling an entry again whose failure says "try again" ({@link
     * Unavailable#is}); after the last, it is left pending for {@code XAUTOCLAIM}.
     */
    static final List<Duration> RETRY_WAITS =
            List.of(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final StreamConsumer.Settings settings;
    private final RedisClusterAsyncCommands<String, String> pipelined;
    private final StreamConsumer.EventHandler handler;
    private final DeadLetters deadLetters;
    private final Counter consumed;
    private final Counter lost;
    private final Counter failed;

    ConsumerBatch(
            StreamConsumer.Settings settings,
            RedisClusterAsyncCommands<String, String> pipelined,
            StreamConsumer.EventHandler handler,
            DeadLetters deadLetters,
            MeterRegistry registry) {
        this.settings = settings;
        this.pipelined = pipelined;
        this.handler = handler;
        this.deadLetters = deadLetters;
        String s = settings.stream();
        this.consumed = counter(registry, "consumed", s, "stream entries processed and acknowledged");
        this.lost = counter(registry, "lost", s, "pending entries found trimmed or deleted before they were processed");
        this.failed = counter(registry, "failed", s, "entry processing attempts that failed (left pending)");
    }

    private static Counter counter(MeterRegistry registry, String name, String stream, String description) {
        return Counter.builder("parley.stream." + name)
                .tag("stream", stream)
                .description(description)
                .register(registry);
    }

    /**
     * Hands the entries at {@code indexes} to the handler again after the attempt's wait (a slot
     * moving between masters, a failover, a timeout: the same write works a moment later, and the
     * handler's dedupe makes a repeat harmless). Waiting here, rather than leaving the entry for
     * {@code XAUTOCLAIM} after {@code claimIdle}, keeps it seconds late instead of a minute, and
     * ahead of the entries read after it.
     *
     * @return false when interrupted (the entries stay pending)
     */
    private boolean retry(
            List<Integer> indexes,
            List<StreamMessage<String, String>> handed,
            List<CompletableFuture<Runnable>> handled,
            int attempt) {
        try {
            Thread.sleep(RETRY_WAITS.get(attempt - 1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        for (int i : indexes) {
            StreamMessage<String, String> entry = handed.get(i);
            try {
                handled.set(
                        i,
                        handler.handle(entry.getId(), EventCodec.decode(entry.getBody()))
                                .toCompletableFuture());
            } catch (RuntimeException e) {
                handled.set(i, CompletableFuture.failedFuture(e));
            }
        }
        endBatch();
        return true;
    }

    private void endBatch() {
        try {
            handler.endOfBatch();
        } catch (RuntimeException e) {
            log.warn("{}: ending a batch failed: {}", settings.stream(), e.toString());
        }
    }

    /** {@link #process(List, Runnable)} with nothing to do at hand-over (re-read and reclaimed entries). */
    boolean process(List<StreamMessage<String, String>> batch) {
        return process(batch, () -> {});
    }

    /**
     * @param handedOver run once every entry has been handed to the handler, before any is awaited
     *     (the consumer reads its next batch then, so that read overlaps this batch's Redis work)
     * @return false when interrupted before the batch was acknowledged (its unacknowledged entries
     *     stay pending, to be handled again)
     */
    boolean process(List<StreamMessage<String, String>> batch, Runnable handedOver) {
        if (batch.isEmpty()) {
            return true;
        }
        List<String> done = new ArrayList<>(batch.size());
        List<StreamMessage<String, String>> handed = new ArrayList<>(batch.size());
        List<String> types = new ArrayList<>(batch.size());
        List<CompletableFuture<Runnable>> handled = new ArrayList<>(batch.size());
        List<Context> traces = Tracing.enabled() ? new ArrayList<>(batch.size()) : null;
        for (StreamMessage<String, String> entry : batch) {
            if (entry.getBody() == null || entry.getBody().isEmpty()) {
                // trimmed (or deleted) while pending: nothing to do but acknowledge, loudly
                lost.increment();
                log.error(
                        "{}: pending entry {} was trimmed or deleted before it was processed; acknowledging it",
                        settings.stream(),
                        entry.getId());
                done.add(entry.getId());
                continue;
            }
            DomainEvent event;
            try {
                event = EventCodec.decode(entry.getBody());
            } catch (EventDecodingException e) {
                deadLetters.add(entry, "cannot decode: " + e.getMessage());
                continue;
            }
            handed.add(entry);
            types.add(event.type());
            Span span = traced(entry, traces);
            try (Scope ignored = span.makeCurrent()) {
                log.debug("{}: handling {} {}", settings.stream(), entry.getId(), event.type());
                handled.add(Tracing.endWhenDone(span, handler.handle(entry.getId(), event))
                        .toCompletableFuture());
            } catch (RuntimeException e) {
                span.recordException(e);
                span.end();
                handled.add(CompletableFuture.failedFuture(e));
            }
        }
        endBatch();
        handedOver.run();
        List<Runnable> after = new ArrayList<>();
        List<Integer> waiting = new ArrayList<>(handed.size());
        for (int i = 0; i < handed.size(); i++) {
            waiting.add(i);
        }
        for (int attempt = 1; !waiting.isEmpty(); attempt++) {
            List<Integer> transientFailures = new ArrayList<>();
            for (int i : waiting) {
                try {
                    Runnable then = handled.get(i).get(HANDLER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    done.add(handed.get(i).getId());
                    if (then != null) {
                        after.add(traces == null ? then : traces.get(i).wrap(then));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false; // unacknowledged entries stay pending; they are retried
                } catch (ExecutionException | TimeoutException e) {
                    failed.increment();
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    boolean again = attempt < RETRY_WAITS.size() + 1 && Unavailable.is(cause);
                    if (again) {
                        transientFailures.add(i);
                    }
                    log.warn(
                            "{}: entry {} ({}) failed{}: {}",
                            settings.stream(),
                            handed.get(i).getId(),
                            types.get(i),
                            again ? ", trying again shortly" : ", left pending for retry",
                            cause.toString());
                }
            }
            waiting = transientFailures;
            if (!waiting.isEmpty() && !retry(waiting, handed, handled, attempt)) {
                return false;
            }
        }
        acknowledge(done);
        after.forEach(ConsumerBatch::runQuietly);
        return true;
    }

    /**
     * Not awaited: the {@code XACK} travels ahead of the next {@code XREADGROUP} on this connection,
     * so a batch costs one round trip less, and the pushes need not wait for it. Should it fail (or
     * the process die first), the entries are simply read again: the handler's dedupe makes that
     * harmless.
     */
    private void acknowledge(List<String> done) {
        if (done.isEmpty()) {
            return;
        }
        int n = done.size();
        pipelined
                .xack(settings.stream(), settings.group(), done.toArray(String[]::new))
                .whenComplete((acked, error) -> {
                    if (error != null) {
                        log.warn(
                                "{}: acknowledging {} entries failed, they will be read again: {}",
                                settings.stream(),
                                n,
                                error.toString());
                    } else {
                        consumed.increment(n);
                    }
                });
    }

    /**
     * A CONSUMER span for the entry, under the trace its {@code traceparent} field names (a
     * reclaimed or re-read entry joins the same trace); its context is kept in {@code traces} for
     * the entry's after-ack step. A no-op span when tracing is off.
     */
    private Span traced(StreamMessage<String, String> entry, List<Context> traces) {
        if (traces == null) {
            return Span.getInvalid();
        }
        Span span = Tracing.start(
                "process " + settings.stream(),
                SpanKind.CONSUMER,
                Tracing.extract(entry.getBody().get(Tracing.TRACEPARENT)));
        span.setAttribute("messaging.system", "redis");
        span.setAttribute("messaging.destination.name", settings.stream());
        span.setAttribute("messaging.message.id", entry.getId());
        traces.add(Context.root().with(span));
        return span;
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("after-ack step failed: {}", e.toString());
        }
    }
}
