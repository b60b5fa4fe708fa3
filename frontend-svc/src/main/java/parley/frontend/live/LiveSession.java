package parley.frontend.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import parley.notification.v1.Notification;
import parley.runtime.ids.NotificationIds;

/**
 * One live connection of one user. The hand-over from replay to live is gap- and duplicate-free:
 * the session joins the user's Pub/Sub channel first (buffering what arrives), then sends the
 * replay, then the buffer, skipping any id already sent. All writes happen on the session's own
 * virtual thread, in order; a client that falls too far behind is disconnected (it reconnects
 * with its last id and gets the rest by replay) instead of exhausting memory.
 */
public final class LiveSession {
  /** Live notifications a session may have queued before it is considered too slow. */
  public static final int MAX_BACKLOG = 1000;
  static final int RECENT_IDS = 10_000;

  private final String email;
  private final LiveSink sink;
  private final DeliveryAcks acks;
  private final LiveStats stats;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("live-", 0).factory());
  // the ids written lately, to skip the same one arriving twice (replay vs. live at the hand-over,
  // or a push retried after a timeout that had in fact got through); bounded for long sessions
  private final Set<String> sent =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > RECENT_IDS;
            }
          });
  private String highest;
  private final ArrayDeque<Notification> buffered = new ArrayDeque<>();
  private final AtomicInteger backlog = new AtomicInteger();
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

  /** Runs the replay (after {@code afterId}, plus pending), then switches to live. Call once joined. */
  void replay(Replay replay, String afterId) {
    execute(
        () -> {
          Replay.Missed missed;
          try {
            missed = replay.missed(email, afterId);
          } catch (RuntimeException e) {
            close("could not load missed notifications: " + e.getMessage());
            return;
          }
          if (missed.reset()) {
            stats.reset();
            sink.reset();
          }
          List<String> ids = new ArrayList<>();
          for (Notification n : missed.notifications()) {
            if (write(n)) {
              ids.add(n.getId());
              stats.replayed();
            }
          }
          ack(ids);
          if (afterId != null) {
            acks.ackUpTo(email, afterId);
          }
          List<Notification> live;
          synchronized (this) {
            replaying = false;
            live = new ArrayList<>(buffered);
            buffered.clear();
          }
          live.forEach(this::deliverNow);
        });
  }

  /** A live notification from Pub/Sub. Never blocks the caller (a Redis I/O thread). */
  void onLive(Notification n) {
    synchronized (this) {
      if (replaying) {
        buffered.add(n);
        return;
      }
    }
    if (backlog.incrementAndGet() > MAX_BACKLOG) {
      close("client too slow; reconnect with your last id to get the rest");
      return;
    }
    execute(
        () -> {
          backlog.decrementAndGet();
          deliverNow(n);
        });
  }

  private void deliverNow(Notification n) {
    if (write(n)) {
      stats.delivered();
      ack(List.of(n.getId()));
    }
  }

  private boolean write(Notification n) {
    if (closed || !sent.add(n.getId())) {
      return false;
    }
    if (highest == null || NotificationIds.compare(n.getId(), highest) > 0) {
      highest = n.getId();
    }
    if (!sink.send(n, highest)) {
      close("client gone");
      return false;
    }
    return true;
  }

  private void ack(List<String> ids) {
    if (!ids.isEmpty()) {
      acks.ack(email, ids);
    }
  }

  private void execute(Runnable task) {
    try {
      writer.execute(task);
    } catch (RejectedExecutionException closedAlready) {
      // the session ended
    }
  }

  /** Ends the session: leaves the hub, stops the writer, closes the sink. Idempotent. */
  public void close(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    writer.shutdown();
    sink.close(reason);
  }
}
