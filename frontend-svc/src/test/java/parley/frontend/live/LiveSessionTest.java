package parley.frontend.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import parley.contract.NotificationJson.Parsed;
import parley.notification.v1.Notification;

/** The session's writing rules, with a sink that records what a client would see. */
class LiveSessionTest {
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final List<String> cursors = new CopyOnWriteArrayList<>();
    private final List<String> acked = new CopyOnWriteArrayList<>();

    private final LiveSink sink = new LiveSink() {
        @Override
        public boolean send(List<Parsed> batch, List<String> batchCursors) {
            batch.forEach(n -> written.add(n.id()));
            cursors.addAll(batchCursors);
            return true;
        }

        @Override
        public String transport() {
            return "test";
        }

        @Override
        public void reset() {}

        @Override
        public void close(String reason) {}
    };

    private final DeliveryAcks acks = (email, ids) -> acked.addAll(ids);

    private static Notification n(String id) {
        return Notification.newBuilder()
                .setId(id)
                .setReceiverEmail("fc@example.com")
                .build();
    }

    private static Parsed p(String id) {
        return Parsed.of(n(id));
    }

    private LiveSession liveSession(List<Notification> missed) {
        LiveSession s = new LiveSession("fc@example.com", sink, acks, new LiveStats(new SimpleMeterRegistry()));
        s.replay((email, after, page) -> new Replay.Missed(page == null ? missed : List.of(), false), null);
        return s;
    }

    @Test
    void theCursorNeverMovesBackWhenLiveNotificationsArriveOutOfOrder() {
        LiveSession s = liveSession(List.of(n("100-0")));
        s.onLive(List.of(p("300-0")));
        s.onLive(List.of(p("200-0")));
        s.onLive(List.of(p("400-0")));

        await().until(() -> written.size() == 4);
        assertThat(written).containsExactly("100-0", "300-0", "200-0", "400-0");
        assertThat(cursors).containsExactly("100-0", "300-0", "300-0", "400-0");
    }

    @Test
    void aLongSessionRemembersOnlyRecentIdsSoItsMemoryStaysBounded() {
        LiveSession s = liveSession(List.of());
        for (int i = 1; i <= LiveSession.RECENT_IDS + 1; i++) {
            s.onLive(List.of(p(i + "-0")));
            if (i % 500 == 0) {
                int upTo = i;
                await().until(() -> written.size() == upTo); // a reader that keeps up (not cut off as too slow)
            }
        }
        s.onLive(List.of(p((LiveSession.RECENT_IDS + 1) + "-0"))); // recent: skipped
        s.onLive(List.of(p("1-0"))); // forgotten long ago

        await().until(() -> written.size() == LiveSession.RECENT_IDS + 2);
        assertThat(written.get(written.size() - 1)).isEqualTo("1-0");
    }

    @Test
    void aNotificationSeenInReplayIsNotWrittenAgainWhenItAlsoArrivesLive() {
        LiveSession s = liveSession(List.of(n("100-0"), n("200-0")));
        s.onLive(List.of(p("200-0")));
        s.onLive(List.of(p("300-0")));

        await().until(() -> acked.size() == 3);
        assertThat(written).containsExactly("100-0", "200-0", "300-0");
        assertThat(acked).containsExactly("100-0", "200-0", "300-0");
    }

    @Test
    void whenTheWholeInstanceIsFarBehindTheSessionsFurthestBehindAreCutOffFirst() throws Exception {
        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        List<String> closed = new CopyOnWriteArrayList<>();
        LiveSink blocking = new LiveSink() {
            @Override
            public boolean send(List<Parsed> batch, List<String> batchCursors) {
                writing.countDown();
                try {
                    stuck.await(); // a client that stopped reading: the writer hangs in the write
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }

            @Override
            public String transport() {
                return "test";
            }

            @Override
            public void reset() {}

            @Override
            public void close(String reason) {
                try {
                    stuck.await(); // like SseSink: closing waits for the write in progress
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closed.add(reason);
            }
        };
        LiveStats stats = new LiveStats(new SimpleMeterRegistry());
        stats.queued((int) LiveSession.MAX_QUEUED_PER_INSTANCE); // other sessions' backlog, all together
        LiveSession s = new LiveSession("fc@example.com", blocking, acks, stats);
        s.replay((email, after, page) -> new Replay.Missed(List.of(), false), null);
        s.onLive(List.of(p("1-0"))); // taken by the writer, which then hangs
        assertThat(writing.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        List<Parsed> many = new java.util.ArrayList<>();
        for (int i = 2; i <= 2 + LiveSession.MAX_BACKLOG / 10; i++) {
            many.add(p(i + "-0"));
        }

        s.onLive(List.of(p("1-1"))); // a little behind: kept, though the instance is over its limit
        assertThat(s.closed()).isFalse();
        s.heartbeat("now"); // the timer never waits on a stuck client: it only queues a beat
        s.onLive(many); // more than a tenth of the per-session limit behind: cut off, without waiting
        assertThat(s.closed()).isTrue();
        assertThat(closed).isEmpty(); // the sink is still blocked in the write; the caller did not wait for it
        stuck.countDown();
        await().until(() -> closed.size() == 1);
        assertThat(closed.get(0)).contains("too slow");
    }

    @Test
    void replayPagesUntilAShortPageAndTheEmittedIdNeverGoesBelowTheClientsCursor() {
        List<String> pagesAsked = new CopyOnWriteArrayList<>();
        Replay paged = (email, after, page) -> {
            pagesAsked.add(String.valueOf(page));
            int from = page == null ? 1 : Integer.parseInt(page.substring(0, page.indexOf('-'))) + 1;
            int to = Math.min(from + Replay.PAGE_SIZE - 1, 1200);
            List<Notification> out = new java.util.ArrayList<>();
            for (int i = from; i <= to; i++) {
                out.add(n(i + "-0"));
            }
            return new Replay.Missed(out, false);
        };
        LiveSession s = new LiveSession("fc@example.com", sink, acks, new LiveStats(new SimpleMeterRegistry()));
        s.replay(paged, "5000-0"); // every id is pending, below the cursor

        await().until(() -> acked.size() == 1200);
        assertThat(pagesAsked).containsExactly("null", "500-0", "1000-0");
        assertThat(written).hasSize(1200).startsWith("1-0").endsWith("1200-0");
        assertThat(cursors).containsOnly("5000-0");
    }

    @Test
    void aReconcileThatCannotReachNotificationSvcKeepsTheSessionAndTriesAgain() {
        List<String> closed = new CopyOnWriteArrayList<>();
        LiveSink closing = new LiveSink() {
            @Override
            public boolean send(List<Parsed> batch, List<String> batchCursors) {
                batch.forEach(n -> written.add(n.id()));
                return true;
            }

            @Override
            public String transport() {
                return "test";
            }

            @Override
            public void reset() {}

            @Override
            public void close(String reason) {
                closed.add(reason);
            }
        };
        LiveSession s = new LiveSession("fc@example.com", closing, acks, new LiveStats(new SimpleMeterRegistry()));
        s.replay((email, after, page) -> new Replay.Missed(List.of(), false), null);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        s.reconcile((email, after, page) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("notification-svc: deadline exceeded");
            }
            return new Replay.Missed(page == null ? List.of(n("200-0")) : List.of(), false);
        });

        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> written.contains("200-0"));
        assertThat(s.closed()).isFalse();
        assertThat(closed).isEmpty();
    }

    @Test
    void reconcilingWritesWhatIsPendingAndNotYetWrittenOnlyOnce() {
        LiveSession s = liveSession(List.of(n("100-0")));
        s.onLive(List.of(p("300-0")));
        await().until(() -> written.size() == 2);

        // 200 was lost on the way (its push never arrived); 300 is pending until its ack lands
        s.reconcile((email, after, page) ->
                new Replay.Missed(page == null ? List.of(n("200-0"), n("300-0")) : List.of(), false));

        await().until(() -> written.size() == 3);
        assertThat(written).containsExactly("100-0", "300-0", "200-0");
        assertThat(cursors).containsExactly("100-0", "300-0", "300-0");
        assertThat(acked).containsExactly("100-0", "300-0", "200-0");
    }
}
