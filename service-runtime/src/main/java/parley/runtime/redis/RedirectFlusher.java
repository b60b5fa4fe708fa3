package parley.runtime.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.event.RedirectionEventSupport;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;

/**
 * Flushes the cluster connections that batch by hand ({@link RedisLink#setAutoFlushCommands} off)
 * shortly after lettuce follows a {@code MOVED} or {@code ASK}. Lettuce writes a redirected command
 * again into the target node's connection, and with auto-flush off that write waits for the next
 * {@code flushCommands()}: on a quiet link, until the command times out (5 s; seen on every
 * reshard). Lettuce announces each redirect on its event bus just before that write, on another
 * thread, so the flush comes a few milliseconds later, with two later ones for a redirect that has
 * to open a connection to the new owner first. Redirects close together share their flushes.
 */
final class RedirectFlusher implements AutoCloseable {
    private static final List<Duration> AFTER =
            List.of(Duration.ofMillis(2), Duration.ofMillis(50), Duration.ofMillis(500));

    private final Set<RedisLink> batching = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name("redis-redirect-flush").unstarted(r));
    private final Disposable subscription;

    RedirectFlusher(RedisClusterClient client) {
        this.subscription = client.getResources()
                .eventBus()
                .get()
                .filter(RedirectionEventSupport.class::isInstance)
                .subscribe(e -> redirected());
    }

    /** {@code link} now flushes by hand (or, with false, by itself again). */
    void batching(RedisLink link, boolean byHand) {
        if (byHand) {
            batching.add(link);
        } else {
            batching.remove(link);
        }
    }

    void redirected() {
        if (batching.isEmpty() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        timer.schedule(
                () -> {
                    scheduled.set(false);
                    flushAll();
                },
                AFTER.get(0).toMillis(),
                TimeUnit.MILLISECONDS);
        for (Duration later : AFTER.subList(1, AFTER.size())) {
            timer.schedule(this::flushAll, later.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void flushAll() {
        for (RedisLink link : batching) {
            if (link.isOpen()) {
                link.flushCommands();
            }
        }
    }

    @Override
    public void close() {
        subscription.dispose();
        timer.shutdownNow();
    }
}
