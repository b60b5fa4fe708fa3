package parley.runtime.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.EventDecodingException;

/**
 * Reads one stream in a consumer group, in batches, on a dedicated connection — the loop of
 * spring-data-redis' StreamPollTask: poll with a timeout, handle each entry in its own try/catch,
 * acknowledge only after success, stop cleanly.
 *
 * <ul>
 *   <li>The stream and group are created at start when missing (group from the beginning of the
 *       retained stream, never {@code $}), and again after a {@code NOGROUP} error.
 *   <li>At start the consumer first re-reads its own pending entries (a restart after a crash).
 *   <li>Entries idle in any consumer's pending list longer than {@code claimIdle} are taken over
 *       with {@code XAUTOCLAIM} and retried; one delivered more than {@code maxDeliveries} times,
 *       or that cannot be decoded, goes to the dead-letter stream with the reason and is acked.
 *   <li>Other consumers that hold nothing and have not read for {@code forgetIdle} are removed
 *       from the group (an instance gone for good, e.g. a container recreated under a new name).
 *   <li>Nothing ends the loop but {@link #close()}: every failure is retried with backoff; a
 *       watchdog restarts a dead thread and interrupts a stuck one, and {@link #healthy()} tells
 *       {@code /ready}.
 * </ul>
 */
public final class StreamConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
  private static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * Handles one decoded event without blocking: every entry of a batch is handed over first and
   * awaited after, so their Redis calls travel pipelined. A failed stage (or a throw) leaves the
   * entry pending, to be retried later.
   */
  @FunctionalInterface
  public interface EventHandler {
    /**
     * @return completes with work to run once the entry is acknowledged (e.g. a push), or null
     */
    CompletionStage<Runnable> handle(String entryId, DomainEvent event);

    /** Every entry of a batch was handed over: send what was queued for it (one write). */
    default void endOfBatch() {}
  }

  /** How a consumer reads. */
  public record Settings(
      String stream,
      String group,
      String consumer,
      int batchSize,
      Duration block,
      Duration claimIdle,
      Duration forgetIdle,
      int maxDeliveries,
      long deadLetterMaxLen) {

    public String deadLetterStream() {
      return stream + ":dead";
    }
  }

  private final Settings settings;
  private final RedisCommands<String, String> redis;
  private final RedisAsyncCommands<String, String> pipelined;
  private final EventHandler handler;
  private volatile Thread thread;
  private final ScheduledExecutorService watchdog;
  private volatile long lastProgress = System.nanoTime();
  private final Counter restarts;
  private final Counter consumed;
  private final Counter lost;
  private final Counter failed;
  private final Counter deadLettered;
  private volatile boolean running = true;
  private volatile Instant lastClaim = Instant.EPOCH;

  /**
   * @param blocking a dedicated connection, used only by this consumer (it blocks); its owner closes it
   * @param shared the service's shared connection, for metrics gauges
   */
  public StreamConsumer(
      Settings settings,
      StatefulRedisConnection<String, String> blocking,
      StatefulRedisConnection<String, String> shared,
      EventHandler handler,
      MeterRegistry registry) {
    this.settings = settings;
    this.redis = blocking.sync();
    this.pipelined = blocking.async();
    this.handler = handler;
    String s = settings.stream();
    this.consumed = Counter.builder("parley.stream.consumed").tag("stream", s).description("stream entries processed and acknowledged").register(registry);
    this.lost = Counter.builder("parley.stream.lost").tag("stream", s).description("pending entries found trimmed or deleted before they were processed").register(registry);
    this.failed = Counter.builder("parley.stream.failed").tag("stream", s).description("entry processing attempts that failed (left pending)").register(registry);
    this.deadLettered = Counter.builder("parley.stream.dead_lettered").tag("stream", s).description("entries moved to the dead-letter stream").register(registry);
    Gauge.builder("parley.stream.lag", () -> groupInfo(shared, "lag")).tag("stream", s).description("entries not yet delivered to the group").register(registry);
    Gauge.builder("parley.stream.pending", () -> groupInfo(shared, "pending")).tag("stream", s).description("entries delivered but not acknowledged").register(registry);
    this.restarts = Counter.builder("parley.stream.consumer_restarts").tag("stream", s).description("consumer threads restarted or interrupted by the watchdog (dead or stuck)").register(registry);
    this.thread = newThread();
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("consumer-watchdog-" + s).unstarted(r));
  }

  public StreamConsumer start() {
    progress();
    thread.start();
    watchdog.scheduleWithFixedDelay(this::watch, 5, 5, TimeUnit.SECONDS);
    return this;
  }

  /**
   * The loop: every step (creating the group, re-reading own pending entries, reading, reclaiming)
   * fails into the same retry with backoff, so no error ends the thread; a NOGROUP error creates
   * the group again and re-reads own pending entries. A watchdog restarts the thread if it dies
   * anyway, and interrupts it when it stops making progress.
   */
  @SuppressWarnings("unchecked") // lettuce's xreadgroup takes StreamOffset<K>... (generic varargs)
  private void run() {
    Duration backoff = FIRST_BACKOFF;
    boolean groupReady = false;
    boolean ownPendingDone = false;
    while (running) {
      progress();
      try {
        // Redis may still be starting (or loading its data set): keep trying, the service stays up
        if (!groupReady) {
          ensureGroup();
          groupReady = true;
        }
        if (!ownPendingDone) {
          processOwnPending();
          ownPendingDone = true;
        }
        if (Instant.now().isAfter(lastClaim.plus(settings.claimIdle().dividedBy(2)))) {
          reclaim();
          forgetGoneConsumers();
        }
        List<StreamMessage<String, String>> batch =
            redis.xreadgroup(
                Consumer.from(settings.group(), settings.consumer()),
                XReadArgs.Builder.count(settings.batchSize()).block(settings.block()),
                StreamOffset.lastConsumed(settings.stream()));
        process(batch);
        backoff = FIRST_BACKOFF;
      } catch (RedisCommandExecutionException e) {
        if (isNoGroup(e)) {
          log.warn("{}: group {} missing, creating it again", settings.stream(), settings.group());
          groupReady = false;
          ownPendingDone = false;
        } else {
          backoff = pause(backoff, e);
        }
      } catch (RuntimeException e) {
        backoff = pause(backoff, e);
      }
    }
  }

  private void progress() {
    lastProgress = System.nanoTime();
  }

  /** Waits before the next attempt; an interrupt from the watchdog only cuts the wait short. */
  private Duration pause(Duration backoff, RuntimeException e) {
    if (!running) {
      return backoff;
    }
    log.warn("{}: reading failed ({}), retrying in {} ms", settings.stream(), e.toString(), backoff.toMillis());
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException ie) {
      // close() sets running first; otherwise the watchdog woke a stuck read: go on
    }
    return backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  /**
   * Whether the consumer is working: its thread is alive and went round its loop lately (a read
   * blocks at most {@code block}; a batch waits at most the handler timeout).
   */
  public boolean healthy() {
    return running && thread.isAlive() && !stuck();
  }

  private boolean stuck() {
    return System.nanoTime() - lastProgress > stuckAfter().toNanos();
  }

  private Duration stuckAfter() {
    return settings.block().plus(HANDLER_TIMEOUT).plusSeconds(30);
  }

  /** Restarts a dead consumer thread; interrupts one that stopped making progress. */
  private void watch() {
    if (!running) {
      return;
    }
    if (!thread.isAlive()) {
      restarts.increment();
      log.error("{}: the consumer thread died; starting it again", settings.stream());
      progress();
      thread = newThread();
      thread.start();
    } else if (stuck()) {
      restarts.increment();
      log.error("{}: the consumer made no progress for {} s; interrupting it", settings.stream(), stuckAfter().toSeconds());
      thread.interrupt();
    }
  }

  private Thread newThread() {
    return Thread.ofPlatform().name("consumer-" + settings.stream()).daemon(true).unstarted(this::run);
  }

  /**
   * Entries this consumer name was given before a restart and never acknowledged. Like reclaimed
   * ones, an entry delivered more than {@code maxDeliveries} times goes to dead letters (one that
   * crashes the process would otherwise loop forever).
   */
  @SuppressWarnings("unchecked") // generic varargs, as in run()
  private void processOwnPending() {
    List<StreamMessage<String, String>> mine;
    String from = "0-0";
    do {
      progress();
      mine =
          redis.xreadgroup(
              Consumer.from(settings.group(), settings.consumer()),
              XReadArgs.Builder.count(settings.batchSize()),
              StreamOffset.from(settings.stream(), from));
      if (!mine.isEmpty()) {
        log.info("{}: re-reading {} of its own pending entries", settings.stream(), mine.size());
        from = mine.get(mine.size() - 1).getId();
        process(retryOrDeadLetter(mine));
      }
    } while (running && !mine.isEmpty());
  }

  /** The entries to process again; those delivered too often go to dead letters instead. */
  private List<StreamMessage<String, String>> retryOrDeadLetter(List<StreamMessage<String, String>> messages) {
    Map<String, Long> deliveries = deliveryCounts(messages);
    List<StreamMessage<String, String>> retry = new ArrayList<>();
    for (StreamMessage<String, String> m : messages) {
      long count = deliveries.getOrDefault(m.getId(), 1L);
      if (count > settings.maxDeliveries()) {
        deadLetter(m, "failed " + (count - 1) + " times; giving up after " + settings.maxDeliveries() + " deliveries");
      } else {
        retry.add(m);
      }
    }
    return retry;
  }

  /** Takes over entries left idle by any consumer (a crashed one, or a failed attempt). */
  void reclaim() {
    lastClaim = Instant.now();
    String cursor = "0-0";
    do {
      ClaimedMessages<String, String> claimed =
          redis.xautoclaim(
              settings.stream(),
              XAutoClaimArgs.Builder.xautoclaim(
                      Consumer.from(settings.group(), settings.consumer()),
                      settings.claimIdle(),
                      cursor)
                  .count(settings.batchSize()));
      progress();
      List<StreamMessage<String, String>> messages = claimed.getMessages();
      if (!messages.isEmpty()) {
        log.info("{}: reclaimed {} idle entries", settings.stream(), messages.size());
        process(retryOrDeadLetter(messages));
      }
      cursor = claimed.getId();
    } while (running && !"0-0".equals(cursor));
  }

  /**
   * Removes other consumers that hold no pending entries and have not read for {@code forgetIdle}.
   * A live consumer reads every block interval, so its idle time never gets near it.
   */
  void forgetGoneConsumers() {
    for (Object raw : redis.xinfoConsumers(settings.stream(), settings.group())) {
      Map<String, Object> consumer = XInfo.fields(raw);
      String name = String.valueOf(consumer.get("name"));
      if (!name.equals(settings.consumer())
          && consumer.get("pending") instanceof Number pending
          && pending.longValue() == 0
          && consumer.get("idle") instanceof Number idle
          && idle.longValue() > settings.forgetIdle().toMillis()) {
        redis.xgroupDelconsumer(settings.stream(), Consumer.from(settings.group(), name));
        log.info("{}: removed consumer {} from group {} (idle {} ms, nothing pending)", settings.stream(), name, settings.group(), idle);
      }
    }
  }


  private Map<String, Long> deliveryCounts(List<StreamMessage<String, String>> messages) {
    List<PendingMessage> pending =
        redis.xpending(
            settings.stream(),
            Consumer.from(settings.group(), settings.consumer()),
            Range.create(messages.get(0).getId(), messages.get(messages.size() - 1).getId()),
            Limit.from(messages.size() * 2L));
    Map<String, Long> counts = new LinkedHashMap<>();
    for (PendingMessage p : pending) {
      counts.put(p.getId(), p.getRedeliveryCount());
    }
    return counts;
  }

  private void process(List<StreamMessage<String, String>> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<String> done = new ArrayList<>(batch.size());
    List<Runnable> after = new ArrayList<>();
    List<String> ids = new ArrayList<>(batch.size());
    List<String> types = new ArrayList<>(batch.size());
    List<CompletableFuture<Runnable>> handled = new ArrayList<>(batch.size());
    for (StreamMessage<String, String> entry : batch) {
      if (entry.getBody() == null || entry.getBody().isEmpty()) {
        // trimmed (or deleted) while pending: nothing to do but acknowledge, loudly
        lost.increment();
        log.error("{}: pending entry {} was trimmed or deleted before it was processed; acknowledging it", settings.stream(), entry.getId());
        done.add(entry.getId());
        continue;
      }
      DomainEvent event;
      try {
        event = EventCodec.decode(entry.getBody());
      } catch (EventDecodingException e) {
        deadLetter(entry, "cannot decode: " + e.getMessage());
        continue;
      }
      ids.add(entry.getId());
      types.add(event.type());
      try {
        handled.add(handler.handle(entry.getId(), event).toCompletableFuture());
      } catch (RuntimeException e) {
        handled.add(CompletableFuture.failedFuture(e));
      }
    }
    try {
      handler.endOfBatch();
    } catch (RuntimeException e) {
      log.warn("{}: ending a batch failed: {}", settings.stream(), e.toString());
    }
    for (int i = 0; i < handled.size(); i++) {
      try {
        Runnable then = handled.get(i).get(HANDLER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        done.add(ids.get(i));
        if (then != null) {
          after.add(then);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // unacknowledged entries stay pending; they are retried
      } catch (ExecutionException | TimeoutException e) {
        failed.increment();
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        log.warn("{}: entry {} ({}) failed, left pending for retry: {}", settings.stream(), ids.get(i), types.get(i), cause.toString());
      }
    }
    if (!done.isEmpty()) {
      // not awaited: it travels ahead of the next XREADGROUP on this connection, so a batch costs
      // one round trip less, and the pushes need not wait for it. Should it fail (or the process
      // die first), the entries are simply read again: the handler's dedupe makes that harmless.
      int n = done.size();
      pipelined
          .xack(settings.stream(), settings.group(), done.toArray(String[]::new))
          .whenComplete(
              (acked, error) -> {
                if (error != null) {
                  log.warn("{}: acknowledging {} entries failed, they will be read again: {}", settings.stream(), n, error.toString());
                } else {
                  consumed.increment(n);
                }
              });
    }
    after.forEach(StreamConsumer::runQuietly);
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("after-ack step failed: {}", e.toString());
    }
  }

  private void deadLetter(StreamMessage<String, String> entry, String reason) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (entry.getBody() != null) {
      fields.putAll(entry.getBody());
    }
    fields.put("dead_reason", reason);
    fields.put("dead_entry_id", entry.getId());
    fields.put("dead_stream", settings.stream());
    fields.put("dead_group", settings.group());
    fields.put("dead_at", Instant.now().toString());
    redis.xadd(
        settings.deadLetterStream(),
        XAddArgs.Builder.maxlen(settings.deadLetterMaxLen()).approximateTrimming(),
        fields);
    redis.xack(settings.stream(), settings.group(), entry.getId());
    deadLettered.increment();
    log.warn("{}: entry {} dead-lettered to {}: {}", settings.stream(), entry.getId(), settings.deadLetterStream(), reason);
  }

  private void ensureGroup() {
    try {
      redis.xgroupCreate(
          StreamOffset.from(settings.stream(), "0-0"),
          settings.group(),
          XGroupCreateArgs.Builder.mkstream(true));
      log.info("{}: created consumer group {}", settings.stream(), settings.group());
    } catch (RedisBusyException e) {
      // BUSYGROUP: it exists already, keep its position
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw e;
      }
    }
  }

  private static boolean isNoGroup(RedisCommandExecutionException e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOGROUP");
  }

  private double groupInfo(StatefulRedisConnection<String, String> shared, String field) {
    try {
      for (Object group : shared.sync().xinfoGroups(settings.stream())) {
        Map<String, Object> info = XInfo.fields(group);
        if (settings.group().equals(info.get("name")) && info.get(field) instanceof Number n) {
          return n.doubleValue();
        }
      }
    } catch (RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /**
   * Stops the loop and waits up to one block interval plus 5 s for it to end its current read and
   * batch. A batch still running then (its handlers may take up to 10 s) is not waited for: the
   * process goes on stopping, and whatever it had not acknowledged stays pending and is retried.
   */
  @Override
  public void close() {
    running = false;
    watchdog.shutdownNow();
    try {
      thread.join(settings.block().plusSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{}: consumer did not stop in time", settings.stream());
    }
  }
}
