package parley.notification.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import parley.frontend.v1.PushBatch;
import parley.notification.NotificationMapping;
import parley.notification.domain.Notification;

/**
 * The pushes {@link StreamPusher} holds: queued per receiver (served in turn, so one user's burst
 * does not queue everyone else behind it) and sent but unanswered, by batch sequence number. Not
 * thread-safe: the pusher holds its lock around every call but {@link #held()}.
 */
final class PushWindow {
    /** Notifications of one receiver taken in a row before the next receiver's turn. */
    static final int FAIR_QUANTUM = 50;

    /** One push: its notification, when it was queued, its trace (or null), and its outcome. */
    record Item(Notification notification, long since, String traceparent, CompletableFuture<Boolean> result) {}

    /** A batch taken to send, under its sequence number. */
    record Batch(long seq, List<Item> items) {
        PushBatch proto() {
            PushBatch.Builder b = PushBatch.newBuilder().setSeq(seq);
            for (Item item : items) {
                parley.notification.v1.Notification n = NotificationMapping.toProto(item.notification());
                // a re-sent push keeps the trace of its first attempt
                b.addNotifications(
                        item.traceparent() == null
                                ? n
                                : n.toBuilder()
                                        .setTraceparent(item.traceparent())
                                        .build());
            }
            return b.build();
        }
    }

    private record Sent(List<Item> items, long at) {}

    private final FairQueue<Item> queued = new FairQueue<>(i -> i.notification().receiverEmail(), FAIR_QUANTUM);
    private final TreeMap<Long, Sent> unanswered = new TreeMap<>();
    private volatile int held; // queued + unanswered; written under the pusher's lock, read by the gauge
    private long seq;

    /** Notifications queued or awaiting an answer. */
    int held() {
        return held;
    }

    boolean hasQueued() {
        return !queued.isEmpty();
    }

    void add(Item item) {
        queued.add(item);
        held++;
    }

    /** Takes the next queued item out of the window (to give it up). */
    Item takeQueued() {
        Item item = queued.poll();
        held--;
        return item;
    }

    /** Takes up to {@code max} queued items, in fair order, as the next batch sent at {@code now}. */
    Batch takeBatch(int max, long now) {
        List<Item> items = new ArrayList<>(Math.min(queued.size(), max));
        while (!queued.isEmpty() && items.size() < max) {
            items.add(queued.poll());
        }
        unanswered.put(++seq, new Sent(items, now));
        return new Batch(seq, items);
    }

    /** When the oldest unanswered batch was sent, or {@code Long.MAX_VALUE} if none is. */
    long oldestUnansweredAt() {
        return unanswered.isEmpty()
                ? Long.MAX_VALUE
                : unanswered.firstEntry().getValue().at();
    }

    /** The items of answered batch {@code seq}, out of the window; null if it was re-queued since. */
    List<Item> answered(long seq) {
        Sent sent = unanswered.remove(seq);
        if (sent == null) {
            return null;
        }
        held -= sent.items().size();
        return sent.items();
    }

    /** Puts every unanswered item back at the front of its receiver's queue, in order; how many. */
    int requeueUnanswered() {
        int back = 0;
        for (Map.Entry<Long, Sent> e : unanswered.descendingMap().entrySet()) {
            List<Item> items = e.getValue().items();
            for (int i = items.size() - 1; i >= 0; i--) {
                queued.addFirst(items.get(i));
                back++;
            }
        }
        unanswered.clear();
        return back;
    }

    /** Takes out every queued item queued before {@code limit} and hands it to {@code expired}. */
    void expire(long limit, Consumer<Item> expired) {
        queued.removeIf(item -> item.since() < limit, item -> {
            held--;
            expired.accept(item);
        });
    }
}
