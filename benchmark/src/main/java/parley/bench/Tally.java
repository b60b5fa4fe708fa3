package parley.bench;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * What a load run counts: each send answered (with its latency from the intended send time), each
 * notification received once (with its end-to-end latency, from the send time it carries in its
 * preview), duplicates and errors. Thread-safe: gRPC and HTTP callbacks record into it.
 */
final class Tally {
    /** Content prefixes: a measured message carries its intended send time after MEASURED. */
    static final String MEASURED = "bench ";

    static final String WARM_UP = "warm ";

    final Recorder endToEnd = new Recorder(3);
    final Recorder sendCall = new Recorder(3);
    final Map<Long, Boolean> sentIds = new ConcurrentHashMap<>();
    final Set<Long> receivedIds = ConcurrentHashMap.newKeySet();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong streamErrors = new AtomicLong();
    volatile String lastError = "";

    /** A measured send was answered with the message's id. */
    void sent(long messageId, long intendedNanos) {
        sendCall.recordValue(Math.max(0, (System.nanoTime() - intendedNanos) / 1000));
        sentIds.put(messageId, Boolean.TRUE);
    }

    void sendFailed(String why) {
        errors.incrementAndGet();
        lastError = why;
    }

    void streamFailed(String why) {
        streamErrors.incrementAndGet();
        lastError = why;
    }

    /** A notification reached its receiver: counted once, its latency taken from the send time it carries. */
    void received(long messageId, String preview) {
        long now = System.nanoTime();
        if (!preview.startsWith(MEASURED)) {
            return; // the warm-up's
        }
        if (!receivedIds.add(messageId)) {
            duplicates.incrementAndGet();
            return;
        }
        endToEnd.recordValue(Math.max(0, (now - Long.parseLong(preview.substring(MEASURED.length()))) / 1000));
    }

    long missing() {
        return sentIds.keySet().stream().filter(id -> !receivedIds.contains(id)).count();
    }
}
