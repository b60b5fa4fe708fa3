package parley.frontend.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import parley.contract.NotificationJson.Parsed;
import parley.notification.v1.Notification;
import parley.rules.NotificationIds;

/**
 * One live connection of one user. The hand-over from replay to live is gap- and duplicate-free:
 * the session joins the user's Pub/Sub channel first (buffering what arrives), then sends the
 * replay, then the buffer, skipping any id already sent. Only ids written to the client are
 * acknowledged. All writes happen on the session's own virtual thread, in order; a client that
 * falls too far behind is disconnected (it reconnects with its last id and gets the rest by
 * replay) instead of exhausting memory.
 */
public final class LiveSession {
    /**
     * Live notifications a session may have queued before it is considered too slow: several
     * seconds of a very busy user, so a server that is merely behind never cuts anyone off.
     */
    public static final int MAX_BACKLOG = 10_000;
    /**
     * Live notifications all sessions of this instance may have queued together. Past it, a
     * session more than a tenth of {@link #MAX_BACKLOG} behind is cut off (the furthest behind go
     * first), so many slow clients cannot add up to a full heap.
     */
    public static final long MAX_QUEUED_PER_INSTANCE = 100_000;
    /** Ids a session remembers having written, to skip duplicates. */
    static final int RECENT_IDS = 10_000;
    // sessions reconciling with notification-svc at once, instance-wide (after a push-path change, all do)
    private static final Semaphore RECONCILING = new Semaphore(16);

    private static final int RECONCILE_ATTEMPTS = 3;
    private static final long RECONCILE_RETRY_MS = 2000;

    private final String email;
    private final LiveSink sink;
    private final DeliveryAcks acks;
    private final LiveStats stats;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("live-", 0).factory());
    // the ids written lately, to skip the same one arriving twice (replay vs. live at the hand-over,
    // or a push retried after a timeout that had in fact got through); bounded for long sessions
    private final WrittenIds sent = new WrittenIds(RECENT_IDS);
    private String highest;
    private final ArrayDeque<Parsed> buffered = new ArrayDeque<>();
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicBoolean beatQueued = new AtomicBoolean();
    private boolean replaying = true;
    private volatile boolean closed;
    private Runnable onClose = () -> {};

    public LiveSession(String email, LiveSink sink, DeliveryAcks acks, LiveStats stats) {
        this.email = email;
        this.sink = sink;
        this.acks = acks;
        this.stats = stats;
    }

    public String email() {
        return email;
    }

    void onClose(Runnable onClose) {
        this.onClose = onClose;
    }

    /**
     * Runs the replay (every pending notification plus those after {@code afterId}, page by page),
     * then switches to live. Call once joined. The ids this connection emits start at the client's
     * cursor and never go below it.
     */
    void replay(Replay replay, String afterId) {
        execute(() -> {
            highest = afterId;
            if (!writeMissed(replay, afterId, true)) {
                return;
            }
            List<Parsed> live;
            synchronized (this) {
                replaying = false;
                live = new ArrayList<>(buffered);
                buffered.clear();
            }
            deliverNow(live);
        });
    }

    /**
     * Writes what is still pending and was not written on this connection: a push that was lost (a
     * notification-svc crash between its ack and the push, a push given up) reaches a user who stays
     * connected. Runs on the writer, after anything queued before it.
     */
    void reconcile(Replay replay) {
        reconcile(replay, 1);
    }

    private void reconcile(Replay replay, int attempt) {
        execute(() -> {
            boolean done;
            RECONCILING.acquireUninterruptibly();
            try {
                done = writeMissed(replay, null, false);
            } finally {
                RECONCILING.release();
            }
            // best effort, and the client did not ask: a failure keeps the session, and tries again
            if (!done && !closed && attempt < RECONCILE_ATTEMPTS) {
                Thread.ofVirtual().name("live-reconcile-retry").start(() -> {
                    try {
                        Thread.sleep(RECONCILE_RETRY_MS * attempt);
                        reconcile(replay, attempt + 1);
                    } catch (InterruptedException stop) {
                        // shutting down
                    }
                });
            }
        });
    }

    /**
     * Pages through what was missed, writing and acknowledging each page. On a replay (a client's
     * connect) a failure to load ends the session, so the client reconnects and tries again; on a
     * reconcile it only returns false.
     *
     * @return false when the session ended or the missed ones could not be loaded
     */
    private boolean writeMissed(Replay replay, String afterId, boolean isReplay) {
        String pageAfter = null;
        while (!closed) {
            Replay.Missed missed;
            try {
                missed = replay.missed(email, afterId, pageAfter);
            } catch (RuntimeException e) {
                if (isReplay) {
                    close("could not load missed notifications: " + e.getMessage());
                }
                return false;
            }
            if (isReplay && pageAfter == null && missed.reset()) {
                stats.reset();
                sink.reset();
            }
            List<Parsed> written =
                    write(missed.notifications().stream().map(Parsed::of).toList());
            stats.replayed(written.size());
            ack(written);
            List<Notification> page = missed.notifications();
            if (page.size() < Replay.PAGE_SIZE) {
                return !closed;
            }
            pageAfter = page.get(page.size() - 1).getId();
        }
        return false;
    }

    /**
     * A heartbeat, written by the session's writer like everything else (never by the caller, a
     * timer that must not wait on one slow client). At most one waits at a time.
     */
    public void heartbeat(String at) {
        if (!closed && beatQueued.compareAndSet(false, true)) {
            execute(() -> {
                beatQueued.set(false);
                if (!closed && !sink.heartbeat(at)) {
                    close("client gone");
                }
            });
        }
    }

    /**
     * Live notifications from Pub/Sub (one message may carry several, oldest first). Never blocks
     * the caller (a Redis I/O thread): the batch becomes one task of the session's writer, written
     * with one flush and acknowledged with one ack.
     */
    void onLive(List<Parsed> batch) {
        synchronized (this) {
            if (replaying) {
                buffered.addAll(batch);
                return;
            }
        }
        int n = batch.size();
        int mine = backlog.addAndGet(n);
        long all = stats.queued(n);
        if (mine > MAX_BACKLOG || (all > MAX_QUEUED_PER_INSTANCE && mine > MAX_BACKLOG / 10)) {
            backlog.addAndGet(-n);
            stats.queued(-n);
            close("client too slow; reconnect with your last id to get the rest");
            return;
        }
        boolean queued = execute(() -> {
            backlog.addAndGet(-n);
            stats.queued(-n);
            deliverNow(batch);
        });
        if (!queued) {
            backlog.addAndGet(-n);
            stats.queued(-n);
        }
    }

    private void deliverNow(List<Parsed> batch) {
        List<Parsed> written = write(batch);
        stats.delivered(written);
        ack(written);
    }

    /** Writes those not written before, in order, with one flush; returns those written. */
    private List<Parsed> write(List<Parsed> batch) {
        if (closed || batch.isEmpty()) {
            return List.of();
        }
        List<Parsed> fresh = new ArrayList<>(batch.size());
        List<String> cursors = new ArrayList<>(batch.size());
        for (Parsed n : batch) {
            if (!sent.add(n.id())) {
                continue;
            }
            if (highest == null || NotificationIds.compare(n.id(), highest) > 0) {
                highest = n.id();
            }
            fresh.add(n);
            cursors.add(highest);
        }
        if (fresh.isEmpty()) {
            return List.of();
        }
        if (!LiveTracing.send(sink, fresh, cursors)) {
            close("client gone");
            return List.of();
        }
        return fresh;
    }

    private void ack(List<Parsed> written) {
        if (!written.isEmpty()) {
            acks.ack(email, written.stream().map(Parsed::id).toList());
        }
    }

    /** @return false when the session ended already (the task will not run) */
    private boolean execute(Runnable task) {
        try {
            writer.execute(task);
            return true;
        } catch (RejectedExecutionException closedAlready) {
            return false;
        }
    }

    /** Ends the session because its token no longer holds: SSE gets a {@code revoked} event, gRPC UNAUTHENTICATED. */
    public void revoke(String reason) {
        end(() -> sink.revoke(reason));
    }

    /**
     * Ends the session: leaves the hub, stops the writer, closes the sink. Idempotent, and never
     * waits: it is called from Redis' Pub/Sub thread when a client is too slow, whose writer may be
     * blocked in a write (until the idle timeout), so the sink is closed on a thread of its own.
     */
    public void close(String reason) {
        end(() -> sink.close(reason));
    }

    private synchronized void end(Runnable closeSink) {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
        writer.shutdown();
        Thread.ofVirtual().name("live-close").start(closeSink);
    }

    /** Whether the session ended. */
    public boolean closed() {
        return closed;
    }
}
