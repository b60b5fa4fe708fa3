package parley.notification.grpc;

import io.grpc.CallCredentials;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
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
import parley.runtime.grpc.PeerChannel;

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
 *       turn ({@link #FAIR_QUANTUM} at a time): another user's notification is not held up behind
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
    /** Notifications of one receiver taken in a row before the next receiver's turn. */
    static final int FAIR_QUANTUM = 50;

    /** How the pusher batches and bounds its work. */
    public record Settings(int window, int batchSize, Duration deadline, Duration giveUpAfter) {}

    private record Item(Notification notification, long since, CompletableFuture<Boolean> result) {}

    private record Sent(List<Item> items, long at) {}

    private final FrontendServiceGrpc.FrontendServiceStub stub;
    private final Settings settings;
    private final PushMetrics metrics;
    private final PushAcks acks = new PushAcks();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // per receiver, served in turn: one user's burst does not queue everyone else behind it
    private final FairQueue<Item> queued = new FairQueue<>(i -> i.notification().receiverEmail(), FAIR_QUANTUM);
    private final TreeMap<Long, Sent> unanswered = new TreeMap<>();
    private final Thread sender;
    private int held; // queued + unanswered notifications
    private ClientCallStreamObserver<PushBatch> stream; // null while not connected
    private long generation; // which stream the callbacks belong to
    private long seq;
    private long nextAttempt;
    private long downSince = System.nanoTime(); // when the last stream broke (or the start)
    private Duration backoff = MIN_BACKOFF;
    private long lastExpiry;
    private volatile boolean running = true;

    public StreamPusher(PeerChannel frontend, CallCredentials service, Settings settings, MeterRegistry registry) {
        this.stub = FrontendServiceGrpc.newStub(frontend.channel()).withCallCredentials(service);
        this.settings = settings;
        this.metrics = new PushMetrics(registry, this::held);
        this.sender = Thread.ofPlatform().name("push-sender").daemon(true).unstarted(this::sendLoop);
    }

    public StreamPusher start() {
        sender.start();
        return this;
    }

    private double held() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** Queues one push; waits while the window is full and frontend-svc is taking them. */
    @Override
    public CompletionStage<Boolean> push(Notification n) {
        Item item = new Item(n, System.nanoTime(), new CompletableFuture<>());
        lock.lock();
        try {
            while (held >= settings.window() && running) {
                if (stream == null
                        && !queued.isEmpty()
                        && System.nanoTime() - downSince > settings.deadline().toNanos()) {
                    // not a reconnect blip: frontend-svc is down, so consumption must not wait for it
                    giveUp(queued.poll(), "frontend-svc unreachable and the push queue is full");
                    continue;
                }
                changed.await(100, TimeUnit.MILLISECONDS);
            }
            if (!running) {
                held++;
                giveUp(item, "notification-svc is stopping");
                return item.result();
            }
            queued.add(item);
            held++;
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
                    if (!queued.isEmpty() && now >= nextAttempt) {
                        connect();
                    }
                    changed.await(50, TimeUnit.MILLISECONDS);
                    continue;
                }
                if (!unanswered.isEmpty()
                        && now - unanswered.firstEntry().getValue().at()
                                > settings.deadline().toNanos()) {
                    broken(
                            generation,
                            Status.DEADLINE_EXCEEDED.withDescription(
                                    "no answer within " + settings.deadline().toMillis() + " ms"));
                    continue;
                }
                if (queued.isEmpty() || !stream.isReady()) {
                    changed.await(50, TimeUnit.MILLISECONDS);
                    continue;
                }
                List<Item> items = new ArrayList<>(Math.min(queued.size(), settings.batchSize()));
                PushBatch.Builder b = PushBatch.newBuilder().setSeq(++seq);
                while (!queued.isEmpty() && items.size() < settings.batchSize()) {
                    Item item = queued.poll();
                    items.add(item);
                    b.addNotifications(NotificationGrpcService.toProto(item.notification()));
                }
                unanswered.put(seq, new Sent(items, now));
                batch = b.build();
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
        long gen = ++generation;
        stub.pushNotifications(new ClientResponseObserver<PushBatch, PushResult>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<PushBatch> requests) {
                stream = requests;
                requests.setOnReadyHandler(StreamPusher.this::signal);
            }

            @Override
            public void onNext(PushResult result) {
                answered(gen, result);
            }

            @Override
            public void onError(Throwable t) {
                lock.lock();
                try {
                    broken(gen, Status.fromThrowable(t));
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void onCompleted() {
                lock.lock();
                try {
                    broken(gen, Status.UNAVAILABLE.withDescription("frontend-svc ended the push stream"));
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    private void signal() {
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

    private void answered(long gen, PushResult result) {
        acks.accept(result);
        if (result.getSeq() == 0) {
            return; // acks only
        }
        List<Item> items;
        lock.lock();
        try {
            Sent sent = unanswered.remove(result.getSeq());
            if (sent == null) {
                return; // answered after it was re-queued: the re-sent copy will be answered too
            }
            items = sent.items();
            held -= items.size();
            if (gen == generation) {
                backoff = MIN_BACKOFF; // the stream works
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
        int back = 0;
        for (Map.Entry<Long, Sent> e : unanswered.descendingMap().entrySet()) {
            List<Item> items = e.getValue().items();
            for (int i = items.size() - 1; i >= 0; i--) {
                queued.addFirst(items.get(i));
                back++;
            }
        }
        unanswered.clear();
        metrics.streamBroke(status, back);
        long jitter = (long) (backoff.toNanos() * ThreadLocalRandom.current().nextDouble(0.75, 1.25));
        nextAttempt = System.nanoTime() + jitter;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
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
        long limit = now - settings.giveUpAfter().toNanos();
        List<String> late = new ArrayList<>();
        for (ArrayDeque<Item> q : queued.queues()) {
            if (q.peekFirst().since() < limit) {
                late.add(q.peekFirst().notification().receiverEmail());
            }
        }
        for (String receiver : late) {
            Item item;
            while ((item = queued.peekOldest(receiver)) != null && item.since() < limit) {
                giveUp(
                        queued.pollOldest(receiver),
                        "not answered within " + settings.giveUpAfter().toMillis() + " ms");
            }
        }
    }

    /** Holds the lock. */
    private void giveUp(Item item, String why) {
        held--;
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
    }
}
