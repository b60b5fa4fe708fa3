package parley.frontend.peers;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallCredentials;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.frontend.live.DeliveryAcks;
import parley.frontend.v1.PushResult;
import parley.notification.v1.AckDeliveredBatchRequest;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.AckDeliveredResponse;
import parley.runtime.Linger;

/**
 * Delivery acks of this instance, across users. They ride back to notification-svc on an open
 * {@code PushNotifications} stream ({@code PushResult.acks}): a delivered notification then costs
 * no call of its own. Without an open push stream (notification-svc reconnecting) they go in
 * {@code AckDeliveredBatch} calls with frontend-svc's service token. Acks are off the latency
 * path (they only keep a delivered notification from being replayed), so they gather for up to
 * {@link #LINGER} and leave together, across users: under light load each notification's ack
 * would otherwise be a message of its own on the stream, and a Redis removal of its own behind
 * it. {@link #MAX_IDS_PER_CALL} waiting ids leave at once; acks that arrive while the stream has
 * no room (gRPC flow control), or while {@link #MAX_IN_FLIGHT} calls are out, wait for it.
 *
 * <p>Bounded: past {@link #MAX_WAITING_IDS} waiting ids new acks are dropped and counted. A lost
 * ack only means the notification stays pending and is replayed once more on the next connect,
 * where the client's id check drops it.
 */
public final class GrpcDeliveryAcks implements DeliveryAcks, AutoCloseable {
    static final Duration LINGER = Duration.ofMillis(5);
    static final int MAX_IN_FLIGHT = 2;
    static final int MAX_WAITING_IDS = 200_000;
    static final int MAX_IDS_PER_CALL = 10_000;
    static final int MAX_IDS_PER_USER = 1_000;
    static final int MAX_USERS_PER_CALL = 1_000;
    private static final Logger log = LoggerFactory.getLogger(GrpcDeliveryAcks.class);

    private final Peers peers;
    private final CallCredentials service;
    private final Counter dropped;
    private final Counter calls;
    private final Counter onPushStream;
    // the answer sides of the open push streams; the newest first
    private final CopyOnWriteArrayList<AckLane> lanes = new CopyOnWriteArrayList<>();
    private final Map<String, AckDeliveredRequest.Builder> waiting = new LinkedHashMap<>();
    private int waitingIds;
    private int inFlight;
    private final Linger linger = new Linger("delivery-acks", LINGER, this::sendWhatIsWaiting);

    public GrpcDeliveryAcks(Peers peers, CallCredentials service, MeterRegistry registry) {
        this.peers = peers;
        this.service = service;
        this.dropped = Counter.builder("parley.acks.dropped")
                .description("delivery acks dropped because too many were waiting (they stay pending)")
                .register(registry);
        this.calls = Counter.builder("parley.acks.calls")
                .description("AckDeliveredBatch calls made (when no push stream was open)")
                .register(registry);
        this.onPushStream = Counter.builder("parley.acks.on_push_stream")
                .description("delivery acks sent back on a push stream")
                .register(registry);
    }

    @Override
    public void ack(String email, List<String> ids) {
        synchronized (waiting) {
            if (waitingIds + ids.size() > MAX_WAITING_IDS) {
                dropped.increment(ids.size());
                return;
            }
            waiting.computeIfAbsent(email, e -> AckDeliveredRequest.newBuilder().setEmail(e))
                    .addAllIds(ids);
            waitingIds += ids.size();
            if (waitingIds < MAX_IDS_PER_CALL && linger.arm()) {
                return;
            }
        }
        sendWhatIsWaiting();
    }

    /**
     * A push stream opened: acks may travel back on its answer side from now on, until it ends.
     * Every write of the stream's answers then goes through the returned lane.
     */
    public AckLane attach(ServerCallStreamObserver<PushResult> results) {
        AckLane lane = new AckLane(results, lanes::remove);
        lanes.addFirst(lane);
        return lane;
    }

    /** Sends what is waiting: on a push stream with room, else in calls (at most two out). */
    public void sendWhatIsWaiting() {
        for (AckLane lane : lanes) {
            if (!lane.isOpen()) {
                continue;
            }
            while (lane.ready()) {
                AckDeliveredBatchRequest next;
                synchronized (waiting) {
                    if (waiting.isEmpty()) {
                        return;
                    }
                    next = take();
                }
                if (lane.acks(next)) {
                    onPushStream.increment();
                } else {
                    // ended meanwhile: those ids stay pending (replayed once more on the next connect)
                    dropped.increment(next.getAcksList().stream()
                            .mapToInt(AckDeliveredRequest::getIdsCount)
                            .sum());
                }
            }
            return; // the stream has no room: its ready handler calls again
        }
        List<AckDeliveredBatchRequest> out = new ArrayList<>(MAX_IN_FLIGHT);
        synchronized (waiting) {
            while (inFlight < MAX_IN_FLIGHT && !waiting.isEmpty()) {
                out.add(take());
                inFlight++;
            }
        }
        out.forEach(this::send);
    }

    /** Up to {@link #MAX_IDS_PER_CALL} ids of the waiting acks, oldest users first. Holds the lock. */
    private AckDeliveredBatchRequest take() {
        AckDeliveredBatchRequest.Builder call = AckDeliveredBatchRequest.newBuilder();
        int ids = 0;
        Iterator<AckDeliveredRequest.Builder> it = waiting.values().iterator();
        while (it.hasNext() && ids < MAX_IDS_PER_CALL && call.getAcksCount() < MAX_USERS_PER_CALL) {
            AckDeliveredRequest.Builder b = it.next();
            int n = Math.min(b.getIdsCount(), Math.min(MAX_IDS_PER_USER, MAX_IDS_PER_CALL - ids));
            if (n == b.getIdsCount()) {
                call.addAcks(b.build());
                it.remove();
            } else {
                // a user with more ids than fit: send a part, keep the rest for later
                List<String> all = new ArrayList<>(b.getIdsList());
                call.addAcks(
                        AckDeliveredRequest.newBuilder().setEmail(b.getEmail()).addAllIds(all.subList(0, n)));
                b.clearIds().addAllIds(all.subList(n, all.size()));
            }
            ids += n;
        }
        waitingIds -= ids;
        return call.build();
    }

    private void send(AckDeliveredBatchRequest request) {
        calls.increment();
        Futures.addCallback(
                peers.notificationsAsync(service)
                        .withDeadlineAfter(Peers.DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .ackDeliveredBatch(request),
                new FutureCallback<AckDeliveredResponse>() {
                    @Override
                    public void onSuccess(AckDeliveredResponse result) {
                        done();
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        log.warn(
                                "AckDeliveredBatch ({} users) failed: {}; those stay pending",
                                request.getAcksCount(),
                                t.toString());
                        done();
                    }
                },
                MoreExecutors.directExecutor());
    }

    private void done() {
        synchronized (waiting) {
            inFlight--;
            waiting.notifyAll();
        }
        sendWhatIsWaiting();
    }

    /** Sends what is still waiting and waits (up to 5 s) for the answers. */
    @Override
    public void close() {
        linger.close();
        sendWhatIsWaiting();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (waiting) {
            while ((inFlight > 0 || !waiting.isEmpty()) && System.nanoTime() < end) {
                try {
                    waiting.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
