package parley.runtime.redis;

import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers of one group over the shards of a logical stream, when several instances share
 * them and each shard must have <b>one</b> reader at a time: Redis would otherwise hand a shard's
 * entries to whichever instance reads next, and two entries for one user could be handled (and
 * pushed) in either order. Each shard has a lease, {@code lease:<group>:<stream>}, a key holding
 * the consumer name with a time to live; an instance reads only the shards it holds.
 *
 * <p>Every {@code ttl / 3} an instance marks itself alive in {@code lease_holders:<group>:<logical
 * stream>} (a sorted set of consumer names by last beat), counts the live ones, and aims for its
 * share ({@code ceil(shards / instances)}): it renews what it holds, gives back what is over its
 * share (its consumer stops after the batch at hand, then the lease is deleted), and takes free
 * leases up to its share. A new holder first takes over every entry the group's other consumers
 * still hold ({@code XAUTOCLAIM} with no idle time), then reads on: order holds across a handover
 * but for pushes the old holder had in flight at that moment. An instance that dies keeps its
 * leases until they expire ({@code ttl}); a restarted one under the same name takes its own back at
 * once. A stopping instance gives all of them back.
 *
 * <p>Standalone there is one shard (the stream itself): one instance reads and the others stand by.
 */
public final class LeasedStreamConsumers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeasedStreamConsumers.class);
    private static final LuaScript TAKE = LuaScript.fromResource(LeasedStreamConsumers.class, "lease_take.lua");
    private static final LuaScript DROP = LuaScript.fromResource(LeasedStreamConsumers.class, "lease_drop.lua");
    private static final LuaScript HOLDERS = LuaScript.fromResource(LeasedStreamConsumers.class, "lease_holders.lua");

    private final RedisLink redis;
    private final String group;
    private final String consumer;
    private final String holdersKey;
    private final List<String> preferred;
    private final Duration ttl;
    private final Function<String, StreamConsumer> make;
    private final Map<String, StreamConsumer> owned = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private volatile long lastTick = System.nanoTime();
    private volatile boolean running = true;

    private LeasedStreamConsumers(
            RedisLink redis,
            String group,
            String consumer,
            String logical,
            List<String> streams,
            Duration ttl,
            Function<String, StreamConsumer> make) {
        this.redis = redis;
        this.group = group;
        this.consumer = consumer;
        this.holdersKey = "lease_holders:" + group + ":" + logical;
        // each instance starts from its own place, so instances starting together rarely contend
        int offset = Math.floorMod(consumer.hashCode(), streams.size());
        List<String> order = new ArrayList<>(streams.subList(offset, streams.size()));
        order.addAll(streams.subList(0, offset));
        this.preferred = List.copyOf(order);
        this.ttl = ttl;
        this.make = make;
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon(true).name("leases-" + logical).unstarted(r));
    }

    /**
     * Starts sharing {@code streams} (the shards of {@code logical}) with the group's other
     * instances. {@code make} builds a consumer for a shard this instance was given; it is
     * started here.
     *
     * @param redis a connection to the Redis holding the streams (the leases live beside them)
     */
    public static LeasedStreamConsumers start(
            RedisLink redis,
            String group,
            String consumer,
            String logical,
            List<String> streams,
            Duration ttl,
            Function<String, StreamConsumer> make) {
        LeasedStreamConsumers leases = new LeasedStreamConsumers(redis, group, consumer, logical, streams, ttl, make);
        leases.tick();
        long every = Math.max(50, ttl.toMillis() / 3);
        leases.ticker.scheduleWithFixedDelay(leases::tick, every, every, TimeUnit.MILLISECONDS);
        return leases;
    }

    /** The lease key of one shard. */
    public static String leaseKey(String group, String stream) {
        return "lease:" + group + ":" + stream;
    }

    /** The shards this instance reads now. */
    public List<String> owned() {
        return preferred.stream().filter(owned::containsKey).toList();
    }

    private synchronized void tick() {
        if (!running) {
            return;
        }
        try {
            long holders = HOLDERS.<Long>run(
                    redis.sync(),
                    ScriptOutputType.INTEGER,
                    List.of(holdersKey),
                    List.of(consumer, Long.toString(ttl.toMillis()), "0"));
            int share = (int) Math.ceil(preferred.size() / (double) Math.max(1, holders));
            for (String stream : owned()) {
                if (!take(stream)) {
                    log.warn("{}: lease lost to another instance; stopping its consumer", stream);
                    stop(stream, false);
                }
            }
            List<String> mine = owned();
            for (int i = mine.size() - 1; i >= share; i--) {
                log.info(
                        "{}: giving the lease back ({} instances share {} shards)",
                        mine.get(i),
                        holders,
                        preferred.size());
                stop(mine.get(i), true);
            }
            for (String stream : preferred) {
                if (owned.size() >= share) {
                    break;
                }
                if (!owned.containsKey(stream) && !stopping.containsKey(stream) && take(stream)) {
                    log.info("{}: lease taken; reading it", stream);
                    owned.put(stream, make.apply(stream).takingOverAtStart().start());
                }
            }
        } catch (RuntimeException e) {
            log.warn("{}: leases not renewed ({}); retrying", holdersKey, e.toString());
        } finally {
            lastTick = System.nanoTime();
        }
    }

    private boolean take(String stream) {
        Long held = TAKE.run(
                redis.sync(),
                ScriptOutputType.INTEGER,
                List.of(leaseKey(group, stream)),
                List.of(consumer, Long.toString(ttl.toMillis())));
        return held != null && held == 1L;
    }

    /** Stops the shard's consumer without waiting; once it stopped, gives the lease back if {@code drop}. */
    private void stop(String stream, boolean drop) {
        StreamConsumer c = owned.remove(stream);
        if (c == null) {
            return;
        }
        c.signalStop();
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                () -> {
                    c.awaitStop();
                    if (drop) {
                        drop(stream);
                    }
                },
                r -> Thread.ofVirtual().name("lease-release").start(r));
        stopping.put(stream, done);
        done.whenComplete((ok, error) -> stopping.remove(stream, done));
    }

    private void drop(String stream) {
        try {
            DROP.run(redis.sync(), ScriptOutputType.INTEGER, List.of(leaseKey(group, stream)), List.of(consumer));
        } catch (RuntimeException e) {
            log.warn("{}: could not give the lease back ({}); it expires in {} ms", stream, e, ttl.toMillis());
        }
    }

    /** The lease loop goes round, and every consumer this instance holds is healthy. */
    public boolean healthy() {
        boolean ticking = System.nanoTime() - lastTick < ttl.multipliedBy(3).toNanos();
        return running && ticking && owned.values().stream().allMatch(StreamConsumer::healthy);
    }

    /** Stops every consumer, then gives back its leases and leaves the holders, so others take over at once. */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
        }
        ticker.shutdownNow();
        List<String> mine = owned();
        mine.forEach(s -> owned.get(s).signalStop());
        List<CompletableFuture<Void>> all = new ArrayList<>(stopping.values());
        for (String s : mine) {
            StreamConsumer c = owned.remove(s);
            c.awaitStop();
            drop(s);
        }
        all.forEach(f -> f.completeOnTimeout(null, 10, TimeUnit.SECONDS).join());
        try {
            HOLDERS.run(
                    redis.sync(),
                    ScriptOutputType.INTEGER,
                    List.of(holdersKey),
                    List.of(consumer, Long.toString(ttl.toMillis()), "1"));
        } catch (RuntimeException e) {
            log.warn("{}: could not leave ({}); forgotten in {} ms", holdersKey, e.toString(), ttl.toMillis());
        }
    }

    /**
     * Stops reading without giving anything back, as a process killed at this moment would: for
     * tests of a takeover.
     */
    void abandon() {
        synchronized (this) {
            running = false;
        }
        ticker.shutdownNow();
        owned.values().forEach(StreamConsumer::signalStop);
        owned.values().forEach(StreamConsumer::awaitStop);
        owned.clear();
    }
}
