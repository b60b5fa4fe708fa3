package parley.frontend.live;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ids a live session wrote lately, so that one arriving twice (replay and live at the
 * hand-over, a re-sent push) is skipped. Bounded: past {@code capacity} the oldest ids are forgotten.
 *
 * <p>Ids ({@code <ms>-<seq>}) grow per user, so they are kept as one sorted array of longs, not as
 * a set of strings: 8 bytes an id and no object per id. A set of strings held tens of thousands of
 * small objects per busy instance that every young collection copied again (a 4.5 MB survivor space
 * and 8-10 ms pauses in frontend-svc at 1,000 msg/s, against 1 ms in the other services). A new id
 * is normally the highest, an append; one arriving out of order is inserted in place. "Oldest" is
 * the lowest id. An id that does not fit a long (a sequence above 2^19 within one millisecond) is
 * remembered in a small set of its own.
 */
final class WrittenIds {
    private static final int SEQ_BITS = 19;
    private static final long MAX_MS = (1L << (63 - SEQ_BITS)) - 1;
    private static final int FIRST_SIZE = 16;

    private final int capacity;
    private long[] ids = new long[FIRST_SIZE]; // sorted, in [start, start + size)
    private int start;
    private int size;
    private Set<String> unpacked; // created on first use: real ids always pack

    WrittenIds(int capacity) {
        this.capacity = capacity;
    }

    /** @return true when {@code id} was not remembered (it is now), false when it was written already */
    boolean add(String id) {
        long packed = pack(id);
        return packed < 0 ? addUnpacked(id) : add(packed);
    }

    private boolean add(long id) {
        int end = start + size;
        if (size == 0 || id > ids[end - 1]) {
            insert(size, id);
            return true;
        }
        int at = Arrays.binarySearch(ids, start, end, id);
        if (at >= 0) {
            return false;
        }
        int index = -at - 1 - start;
        if (index == 0 && size == capacity) {
            return true; // older than everything remembered: forgotten, so written again
        }
        insert(index, id);
        return true;
    }

    /** Inserts at {@code index} (0..size) of the remembered ids, dropping the lowest when full. */
    private void insert(int index, long id) {
        if (size == capacity) {
            start++;
            size--;
            index--;
        }
        if (start + size == ids.length) {
            makeRoom();
        }
        int at = start + index;
        System.arraycopy(ids, at, ids, at + 1, size - index);
        ids[at] = id;
        size++;
    }

    /**
     * Room for one more at the end: moves the ids to the front when that frees enough, else grows
     * (doubling, to at most a quarter more than the capacity, so a full session moves its ids once
     * every capacity / 4 appends).
     */
    private void makeRoom() {
        int most = capacity + Math.max(capacity / 4, FIRST_SIZE);
        if (size < ids.length / 2 || ids.length >= most) {
            System.arraycopy(ids, start, ids, 0, size);
        } else {
            long[] bigger = new long[Math.min(ids.length * 2, most)];
            System.arraycopy(ids, start, bigger, 0, size);
            ids = bigger;
        }
        start = 0;
    }

    private boolean addUnpacked(String id) {
        if (unpacked == null) {
            unpacked = Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            });
        }
        return unpacked.add(id);
    }

    int size() {
        return size + (unpacked == null ? 0 : unpacked.size());
    }

    /**
     * {@code <ms>-<seq>} as one long that orders the same way ({@code ms << 19 | seq}), or -1 when
     * the id is not of that form or does not fit.
     */
    static long pack(String id) {
        int dash = id.indexOf('-');
        if (dash <= 0 || dash == id.length() - 1 || dash > 15 || id.length() - dash - 1 > 7) {
            return -1;
        }
        long ms = digits(id, 0, dash);
        long seq = digits(id, dash + 1, id.length());
        if (ms < 0 || seq < 0 || ms > MAX_MS || seq >= 1L << SEQ_BITS) {
            return -1;
        }
        return ms << SEQ_BITS | seq;
    }

    private static long digits(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
