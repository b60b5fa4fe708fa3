package parley.frontend.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import parley.notification.v1.Notification;

/** The session's writing rules, with a sink that records what a client would see. */
class LiveSessionTest {
  private final List<String> written = new CopyOnWriteArrayList<>();
  private final List<String> cursors = new CopyOnWriteArrayList<>();
  private final List<String> acked = new CopyOnWriteArrayList<>();

  private final LiveSink sink =
      new LiveSink() {
        @Override
        public boolean send(List<Notification> batch, List<String> batchCursors) {
          batch.forEach(n -> written.add(n.getId()));
          cursors.addAll(batchCursors);
          return true;
        }

        @Override
        public void reset() {}

        @Override
        public void close(String reason) {}
      };

  private final DeliveryAcks acks =
      new DeliveryAcks() {
        @Override
        public void ack(String email, List<String> ids) {
          acked.addAll(ids);
        }

        @Override
        public void ackUpTo(String email, String cursor) {}
      };

  private static Notification n(String id) {
    return Notification.newBuilder().setId(id).setReceiverEmail("fc@example.com").build();
  }

  private LiveSession liveSession(List<Notification> missed) {
    LiveSession s = new LiveSession("fc@example.com", sink, acks, new LiveStats(new SimpleMeterRegistry()));
    s.replay((email, after) -> new Replay.Missed(missed, false), null);
    return s;
  }

  @Test
  void theCursorNeverMovesBackWhenLiveNotificationsArriveOutOfOrder() {
    LiveSession s = liveSession(List.of(n("100-0")));
    s.onLive(List.of(n("300-0")));
    s.onLive(List.of(n("200-0")));
    s.onLive(List.of(n("400-0")));

    await().until(() -> written.size() == 4);
    assertThat(written).containsExactly("100-0", "300-0", "200-0", "400-0");
    assertThat(cursors).containsExactly("100-0", "300-0", "300-0", "400-0");
  }

  @Test
  void aLongSessionRemembersOnlyRecentIdsSoItsMemoryStaysBounded() {
    LiveSession s = liveSession(List.of());
    for (int i = 1; i <= LiveSession.RECENT_IDS + 1; i++) {
      s.onLive(List.of(n(i + "-0")));
      if (i % 500 == 0) {
        int upTo = i;
        await().until(() -> written.size() == upTo); // a reader that keeps up (not cut off as too slow)
      }
    }
    s.onLive(List.of(n((LiveSession.RECENT_IDS + 1) + "-0"))); // recent: skipped
    s.onLive(List.of(n("1-0"))); // forgotten long ago

    await().until(() -> written.size() == LiveSession.RECENT_IDS + 2);
    assertThat(written.get(written.size() - 1)).isEqualTo("1-0");
  }

  @Test
  void aNotificationSeenInReplayIsNotWrittenAgainWhenItAlsoArrivesLive() {
    LiveSession s = liveSession(List.of(n("100-0"), n("200-0")));
    s.onLive(List.of(n("200-0")));
    s.onLive(List.of(n("300-0")));

    await().until(() -> acked.size() == 3);
    assertThat(written).containsExactly("100-0", "200-0", "300-0");
    assertThat(acked).containsExactly("100-0", "200-0", "300-0");
  }
}
