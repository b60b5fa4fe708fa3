package parley.notification.grpc;

import io.grpc.CallCredentials;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.PushBatch;
import parley.frontend.v1.PushResult;
import parley.notification.domain.LivePush;
import parley.notification.domain.Notification;
import parley.notification.domain.Notifications;
import parley.runtime.Backoff;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.tracing.Tracing;

/**
 * Pushes notifications to frontend-svc over one long-lived {@code PushNotifications} stream, in
 * batches, with the delivery results flowing back.
 *
 * <ul>
 *   <li><b>Bounded, with push-back.</b> At most {@code window} notifications are queued or
 *       unanswered. While the stream is up and the window is full, {@link #push} waits, so the
 *       stream consumer stops reading and the backlog stays in the Redis stream, not the heap.
 *       Once frontend-svc has been unreachable for longer than {@code deadline}, the oldest queued
 *       push is given up instead (the notification stays pending): consumption never stops
 *       because frontend-svc is down.
 *   <li><b>Batches.</b> One sender thread drains whatever is queued (up to {@code batchSize}) into
 *       one message whenever the stream is ready, honouring gRPC flow control. Under light load a
 *       batch is one notification, sent at once: no timer adds latency.
 *   <li><b>Fair.</b> Queued pushes wait per receiver, and batches take from each receiver in
 *       turn ({@link PushWindow#FAIR_QUANTUM} at a time): another user's notification is not held up behind
 *       one user's burst of thousands.
 *   <li><b>Order and re-send.</b> One stream keeps each user's order. When it breaks, or a batch
 *       goes unanswered for {@code deadline}, the unanswered batches go back to the front of the
 *       queue, in order, and the stream is opened again after an exponential backoff with jitter.
 *   <li><b>Give up.</b> A push not answered within {@code giveUpAfter} is given up and counted;
 *       the notification stays pending for the next replay.
 * </ul>
 */
public final class StreamPusher implements LivePush, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamPusher.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How the pusher batches and bounds its work. */
    public record Settings(int window, int batchSize, Duration deadline, Duration giveUpAfter) {}

    private final FrontendServiceGrpc.FrontendServiceStub stub;
    private final Settings settings;
    private final PushMetrics metrics;
    private final PushAcks acks = new PushAcks();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PushWindow window = new PushWindow();
    private final Thread sender;
    private ClientCallStreamObserver<PushBatch> stream; // null while not connected
    private long generation; // which stream the callbacks belong to
    private long nextAttempt;
    private long downSince = System.nanoTime(); // when the last stream broke (or the start)
    private final Backoff backoff = new Backoff(MIN_BACKOFF, MAX_BACKOFF);
    private long lastExpiry;
    private volatile boolean running = true;

    public StreamPusher(PeerChannel frontend, CallCredentials service, Settings settings, MeterRegistry registry) {
        this.stub = FrontendServiceGrpc.newStub(frontend.channel()).withCallCredentials(service);
        this.settings = settings;
        this.metrics = new PushMetrics(registry, window::held);
        this.sender = Thread.ofPlatform().name("push-sender").daemon(true).unstarted(this::sendLoop);
    }

    public StreamPusher start() {
        sender.start();
        return this;
    }

    /** Queues one push; waits while the window is full and frontend-svc is taking them. */
    @Override
    public CompletionStage<Boolean> push(Notification n) {
        PushWindow.Item item =
                new PushWindow.Item(n, System.nanoTime(), Tracing.traceparent(), new CompletableFuture<>());
        lock.lock();
        try {
            while (window.held() >= settings.window() && running) {
                if (stream == null
                        && window.hasQueued()
                        && System.nanoTime() - downSince > settings.deadline().toNanos()) {
                    // not a reconnect blip: frontend-svc is down, so consumption must not wait for it
                    giveUp(window.takeQueued(), "frontend-svc unreachable and the push queue is full");
                    continue;
                }
                changed.await(100, TimeUnit.MILLISECONDS);
            }
            if (!running) {
                giveUp(item, "notification-svc is stopping");
                return item.result();
            }
            window.add(item);
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            item.result().completeExceptionally(e);
        } finally {
            lock.unlock();
        }
        return item.result();
    }

    private void sendLoop() {
        while (running) {
            PushBatch batch = null;
            ClientCallStreamObserver<PushBatch> to = null;
            lock.lock();
            try {
                expire();
                long now = System.nanoTime();
                if (stream == null) {
                    if (window.hasQueued() && now >= nextAttempt) {
                        connect();
                    }
                    changed.await(50, TimeUnit.MILLISECONDS);
                    continue;
                }
                if (now - window.oldestUnansweredAt() > settings.deadline().toNanos()) {
                    broken(
                            generation,
                            Status.DEADLINE_EXCEEDED.withDescription(
                                    "no answer within " + settings.deadline().toMillis() + " ms"));
                    continue;
                }
                if (!window.hasQueued() || !stream.isReady()) {
                    changed.await(50, TimeUnit.MILLISECONDS);
                    continue;
                }
                batch = window.takeBatch(settings.batchSize(), now).proto();
                to = stream;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            try {
                to.onNext(batch);
                metrics.batchSent();
            } catch (RuntimeException e) {
                log.debug("push stream write failed: {}", e.toString());
            }
        }
    }

    /** Opens a new stream. Holds the lock. */
    private void connect() {
        stub.pushNotifications(new PushStreamObserver(++generation, this));
    }

    /** The new stream's request side (called from {@link #connect()}, so with the lock held). */
    void opened(ClientCallStreamObserver<PushBatch> requests) {
        stream = requests;
    }

    /** The stream of {@code gen} ended or failed. */
    void ended(long gen, Status status) {
        lock.lock();
        try {
            broken(gen, status);
        } finally {
            lock.unlock();
        }
    }

    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where the delivery acks that frontend-svc sends back on the push stream go (they are removed
     * from the pending sets). Until set, they are ignored: the ids stay pending.
     */
    public StreamPusher acksTo(Function<List<Notifications.DeliveryAck>, CompletionStage<Long>> sink) {
        acks.sendTo(sink);
        return this;
    }

    void answered(long gen, PushResult result) {
        acks.accept(result);
        if (result.getSeq() == 0) {
            return; // acks only
        }
        List<PushWindow.Item> items;
        lock.lock();
        try {
            items = window.answered(result.getSeq());
            if (items == null) {
                return; // answered after it was re-queued: the re-sent copy will be answered too
            }
            if (gen == generation) {
                backoff.reset(); // the stream works
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < items.size(); i++) {
            boolean got = i < result.getDeliveredCount() && result.getDelivered(i);
            metrics.answered(got);
            items.get(i).result().complete(got);
        }
    }

    /** The stream of {@code gen} failed: re-queue what it left unanswered, reconnect later. Holds the lock. */
    private void broken(long gen, Status status) {
        if (gen != generation || stream == null) {
            return;
        }
        ClientCallStreamObserver<PushBatch> old = stream;
        stream = null;
        generation++;
        downSince = System.nanoTime();
        int back = window.requeueUnanswered();
        metrics.streamBroke(status, back);
        long jitter = backoff.nextWithJitter().toNanos();
        nextAttempt = System.nanoTime() + jitter;
        log.warn(
                "push stream to frontend-svc failed ({}: {}); {} notifications to re-send, reconnecting in {} ms",
                status.getCode(),
                status.getDescription(),
                back,
                TimeUnit.NANOSECONDS.toMillis(jitter));
        try {
            old.cancel("push stream replaced", null);
        } catch (RuntimeException ignored) {
            // already closed
        }
        changed.signalAll();
    }

    /** Gives up queued pushes older than giveUpAfter (looked at every 100 ms). Holds the lock. */
    private void expire() {
        long now = System.nanoTime();
        if (now - lastExpiry < TimeUnit.MILLISECONDS.toNanos(100)) {
            return;
        }
        lastExpiry = now;
        String why = "not answered within " + settings.giveUpAfter().toMillis() + " ms";
        window.expire(now - settings.giveUpAfter().toNanos(), item -> giveUp(item, why));
    }

    /** The item is out of the window already. Holds the lock. */
    private void giveUp(PushWindow.Item item, String why) {
        metrics.gaveUp(item.notification(), why);
        item.result().completeExceptionally(new IllegalStateException(why));
        changed.signalAll();
    }

    /** Stops sending; what is unanswered stays pending in Redis for the next replay. */
    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            if (stream != null) {
                stream.onCompleted();
                stream = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            sender.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        acks.close();
    }
}
