package parley.runtime.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.tracing.Tracing;

/**
 * Group commit onto one Redis connection, the way Centrifugo's Redis engine does it: callers
 * queue commands; one writer thread takes everything waiting, issues it without flushing and
 * flushes once. No timer: under light load a write carries one command and leaves at once; under
 * heavy load one write carries hundreds.
 *
 * <p>Bounded twice: at most {@code maxQueued} commands wait for the writer (a caller beyond that
 * is refused at once with RESOURCE_EXHAUSTED, a clear "retry shortly"), and at most {@code
 * maxInFlight} are sent and not yet answered (the writer waits for answers before sending more,
 * so Redis is never flooded past what it answers).
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    private static final int MAX_PER_WRITE = 1000;

    private record Task<T>(
            Function<RedisClusterAsyncCommands<String, String>, CompletableFuture<T>> command,
            CompletableFuture<T> result) {}

    private final RedisLink connection;
    private final ArrayBlockingQueue<Task<?>> queue;
    private final Semaphore inFlight;
    private final int perWrite;
    private final Thread writer;
    private final Counter writes;
    private final Counter refused;
    private volatile boolean running = true;

    /**
     * @param connection a connection used by nothing else (its auto-flush is turned off); its owner closes it
     */
    public GroupCommit(RedisLink connection, String name, int maxQueued, int maxInFlight, MeterRegistry registry) {
        this.connection = connection;
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.inFlight = new Semaphore(maxInFlight);
        this.perWrite = Math.min(MAX_PER_WRITE, maxInFlight); // a write never needs more permits than exist
        connection.setAutoFlushCommands(false);
        this.writes = Counter.builder("parley.redis.group_writes")
                .tag("name", name)
                .description("flushes of grouped commands")
                .register(registry);
        this.refused = Counter.builder("parley.redis.group_refused")
                .tag("name", name)
                .description("commands refused because the queue was full")
                .register(registry);
        Gauge.builder("parley.redis.group_queued", queue, ArrayBlockingQueue::size)
                .tag("name", name)
                .description("commands waiting for the writer")
                .register(registry);
        this.writer =
                Thread.ofPlatform().name("group-commit-" + name).daemon(true).unstarted(this::writeLoop);
        writer.start();
    }

    /**
     * Queues one command (issued on the writer's connection, e.g. a {@link LuaScript#runAsync}).
     * Never blocks: completes with the reply, or fails with RESOURCE_EXHAUSTED when the queue is full.
     */
    public <T> CompletableFuture<T> submit(
            Function<RedisClusterAsyncCommands<String, String>, CompletableFuture<T>> command) {
        // written later, with others, by whichever thread flushes: in the submitter's trace
        Task<T> task = new Task<>(Tracing.carry(command), new CompletableFuture<>());
        if (!running) {
            task.result()
                    .completeExceptionally(
                            new ServiceException(ErrorCode.UNAVAILABLE, "the service is stopping; retry shortly"));
        } else if (!queue.offer(task)) {
            refused.increment();
            task.result()
                    .completeExceptionally(new ServiceException(
                            ErrorCode.RESOURCE_EXHAUSTED, "the service is at capacity; retry shortly"));
        }
        return task.result();
    }

    private void writeLoop() {
        List<Task<?>> batch = new ArrayList<>(perWrite);
        RedisClusterAsyncCommands<String, String> async = connection.async();
        while (running || !queue.isEmpty()) {
            try {
                Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, perWrite - 1);
                inFlight.acquire(batch.size());
                for (Task<?> task : batch) {
                    issue(async, task);
                }
                connection.flushCommands();
                writes.increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("group commit failed: {}", e.toString());
            } finally {
                batch.clear();
            }
        }
    }

    private <T> void issue(RedisClusterAsyncCommands<String, String> async, Task<T> task) {
        CompletableFuture<T> reply;
        try {
            reply = task.command().apply(async);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((value, error) -> {
            inFlight.release();
            if (error != null) {
                task.result().completeExceptionally(error);
            } else {
                task.result().complete(value);
            }
        });
    }

    /** Sends what is queued, then stops the writer. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
