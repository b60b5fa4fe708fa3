package parley.notification.grpc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A queue that is FIFO per key (a receiver) and serves keys in turn, up to {@code quantum} items
 * each: one user's burst of thousands does not hold up another user's single item behind it, and
 * each user's own order is kept. Not thread-safe (the pusher's lock guards it).
 */
final class FairQueue<T> {
    private final Function<T, String> keyOf;
    private final int quantum;
    private final Map<String, ArrayDeque<T>> byKey = new HashMap<>();
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private int servedInTurn;
    private int size;

    FairQueue(Function<T, String> keyOf, int quantum) {
        this.keyOf = keyOf;
        this.quantum = quantum;
    }

    void add(T item) {
        queueOf(keyOf.apply(item)).addLast(item);
        size++;
    }

    /** Back at the front of its key's queue (a re-send): add a key's items newest first. */
    void addFirst(T item) {
        queueOf(keyOf.apply(item)).addFirst(item);
        size++;
    }

    private ArrayDeque<T> queueOf(String key) {
        ArrayDeque<T> q = byKey.get(key);
        if (q == null) {
            q = new ArrayDeque<>();
            byKey.put(key, q);
            turns.addLast(key);
        }
        return q;
    }

    /** The next item: from the key whose turn it is; null when empty. */
    T poll() {
        String key = turns.peekFirst();
        if (key == null) {
            return null;
        }
        ArrayDeque<T> q = byKey.get(key);
        T item = q.pollFirst();
        size--;
        servedInTurn++;
        if (q.isEmpty()) {
            byKey.remove(key);
            turns.pollFirst();
            servedInTurn = 0;
        } else if (servedInTurn >= quantum) {
            turns.addLast(turns.pollFirst());
            servedInTurn = 0;
        }
        return item;
    }

    /**
     * Removes, oldest first, every key's leading items that match {@code old} (items are queued in
     * age order per key), handing each to {@code removed}.
     */
    void removeIf(Predicate<T> old, Consumer<T> removed) {
        List<String> late = new ArrayList<>();
        for (Map.Entry<String, ArrayDeque<T>> e : byKey.entrySet()) {
            if (old.test(e.getValue().peekFirst())) {
                late.add(e.getKey());
            }
        }
        for (String key : late) {
            ArrayDeque<T> q;
            while ((q = byKey.get(key)) != null && old.test(q.peekFirst())) {
                removed.accept(pollOldest(key));
            }
        }
    }

    /** Removes the oldest item of {@code key}'s queue. */
    private T pollOldest(String key) {
        ArrayDeque<T> q = byKey.get(key);
        if (q == null) {
            return null;
        }
        T item = q.pollFirst();
        size--;
        if (q.isEmpty()) {
            byKey.remove(key);
            if (key.equals(turns.peekFirst())) {
                servedInTurn = 0;
            }
            turns.remove(key);
        }
        return item;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
