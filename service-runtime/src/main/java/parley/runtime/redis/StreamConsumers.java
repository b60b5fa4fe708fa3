package parley.runtime.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The consumers of one group over every stream a logical stream is made of: one standalone, one
 * per shard on a Redis Cluster (SPEC §7.1), each with its own loop and blocking connection.
 * Healthy when all are; closing tells every loop to stop first, then waits for them together, so
 * sixteen shards stop in one block interval, not sixteen.
 */
public final class StreamConsumers implements AutoCloseable {
    private final List<StreamConsumer> consumers;

    private StreamConsumers(List<StreamConsumer> consumers) {
        this.consumers = List.copyOf(consumers);
    }

    /** Builds one consumer per stream with {@code make} and starts them all. */
    public static StreamConsumers start(List<String> streams, Function<String, StreamConsumer> make) {
        List<StreamConsumer> started = new ArrayList<>(streams.size());
        try {
            for (String stream : streams) {
                started.add(make.apply(stream).start());
            }
        } catch (RuntimeException e) {
            new StreamConsumers(started).close();
            throw e;
        }
        return new StreamConsumers(started);
    }

    public boolean healthy() {
        return consumers.stream().allMatch(StreamConsumer::healthy);
    }

    public int size() {
        return consumers.size();
    }

    @Override
    public void close() {
        consumers.forEach(StreamConsumer::signalStop);
        consumers.forEach(StreamConsumer::awaitStop);
    }
}
