package parley.bench;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * What a load run counts: each send answered (with its latency from the intended send time), each
 * notification received once (with its end-to-end latency, from the send time it carries in its
 * preview), duplicates and errors. Thread-safe: gRPC and HTTP callbacks record into it.
 *
 * <p>The end-to-end time is also split at the stream: a notification's id is normally its event's
 * stream id, whose first part is the millisecond Redis appended the event (its clock, the same
 * machine's). So "to the stream" is send plus store, "stream to receiver" is consumer, push and
 * fan-out; both to the millisecond, the first about half a millisecond low on average.
 */
final class Tally {
    /** Content prefixes: a measured message carries its intended send time after MEASURED. */
    static final String MEASURED = "bench ";

    static final String WARM_UP = "warm ";

    /** Wall-clock microseconds at nanoTime 0, to set a nanoTime beside a stream id's millisecond. */
    private static final long WALL_MICROS_AT_NANO_ZERO = wallMicros() - System.nanoTime() / 1000;

    /**
     * The warm-up's figures, recorded by the same code as the measured ones and then left out: a
     * measured phase whose first sends took branches never taken before ran partly interpreted
     * and deoptimized, and the tool's own stall showed as the system's latency.
     */
    final Tally warmUp;

    final Recorder endToEnd = new Recorder(3);
    final Recorder sendCall = new Recorder(3);
    final Recorder toStream = new Recorder(3);
    final Recorder streamToReceiver = new Recorder(3);
    final Map<Long, Boolean> sentIds = new ConcurrentHashMap<>();
    final Set<Long> receivedIds = ConcurrentHashMap.newKeySet();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong streamErrors = new AtomicLong();
    volatile String lastError = "";
    /** How late the measured phase's first sends left (with a rate): what the warm-up left behind. */
    final AtomicLong behindAtStart = new AtomicLong();

    Tally() {
        this(true);
    }

    private Tally(boolean measured) {
        this.warmUp = measured ? new Tally(false) : null;
    }

    /** A send was answered with the message's id. */
    void sent(long messageId, long intendedNanos) {
        sendCall.recordValue(Math.max(0, (System.nanoTime() - intendedNanos) / 1000));
        sentIds.put(messageId, Boolean.TRUE);
    }

    /** A sender's first measured send left {@code nanos} after its intended time. */
    void behindAtStart(long nanos) {
        behindAtStart.accumulateAndGet(nanos, Math::max);
    }

    void sendFailed(String why) {
        errors.incrementAndGet();
        lastError = why;
    }

    void streamFailed(String why) {
        streamErrors.incrementAndGet();
        lastError = why;
    }

    /**
     * A notification reached its receiver: counted once (in the measured or the warm-up tally, by
     * the prefix of its preview), its latency taken from the send time it carries.
     *
     * @param notificationId its id ({@code <ms>-<seq>}), for the split at the stream; "" for none
     */
    void received(long messageId, String preview, String notificationId) {
        long now = System.nanoTime();
        if (preview.startsWith(MEASURED)) {
            record(messageId, Long.parseLong(preview.substring(MEASURED.length())), now, notificationId);
        } else if (warmUp != null && preview.startsWith(WARM_UP)) {
            warmUp.record(messageId, Long.parseLong(preview.substring(WARM_UP.length())), now, notificationId);
        }
    }

    private void record(long messageId, long intendedNanos, long nowNanos, String notificationId) {
        if (!receivedIds.add(messageId)) {
            duplicates.incrementAndGet();
            return;
        }
        endToEnd.recordValue(Math.max(0, (nowNanos - intendedNanos) / 1000));
        int dash = notificationId.indexOf('-');
        if (dash > 0) {
            long streamMicros = Long.parseLong(notificationId, 0, dash, 10) * 1000;
            long intendedMicros = WALL_MICROS_AT_NANO_ZERO + intendedNanos / 1000;
            long receivedMicros = WALL_MICROS_AT_NANO_ZERO + nowNanos / 1000;
            toStream.recordValue(Math.max(0, streamMicros - intendedMicros));
            streamToReceiver.recordValue(Math.max(0, receivedMicros - streamMicros));
        }
    }

    long missing() {
        return sentIds.keySet().stream().filter(id -> !receivedIds.contains(id)).count();
    }

    private static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
