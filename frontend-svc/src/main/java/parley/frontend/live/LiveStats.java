package parley.frontend.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What live delivery is doing, for /metrics. */
public final class LiveStats {
  private final Counter delivered;
  private final Counter replayed;
  private final Counter resets;

  public LiveStats(MeterRegistry registry) {
    this.delivered = Counter.builder("parley.live.delivered").description("notifications written live to a connection").register(registry);
    this.replayed = Counter.builder("parley.live.replayed").description("notifications written by replay on connect").register(registry);
    this.resets = Counter.builder("parley.live.resets").description("reset events sent (cursor older than retained history)").register(registry);
  }

  void delivered(int count) {
    delivered.increment(count);
  }

  void replayed(int count) {
    replayed.increment(count);
  }

  void reset() {
    resets.increment();
  }
}
