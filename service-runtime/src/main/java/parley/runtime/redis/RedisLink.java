package parley.runtime.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;

/**
 * One long-lived connection to Redis, standalone or a Redis Cluster, behind the command interfaces
 * both share ({@link RedisClusterCommands}, {@link RedisClusterAsyncCommands}): code written
 * against it runs unchanged in either mode. On a cluster, lettuce routes each command by its key's
 * slot and follows {@code MOVED}/{@code ASK}; a script's keys must share one slot.
 */
public final class RedisLink {
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> sync;
    private final RedisClusterAsyncCommands<String, String> async;
    private final boolean cluster;
    private final RedirectFlusher redirects;

    private RedisLink(
            StatefulConnection<String, String> connection,
            RedisClusterCommands<String, String> sync,
            RedisClusterAsyncCommands<String, String> async,
            RedirectFlusher redirects) {
        this.connection = connection;
        this.sync = sync;
        this.async = async;
        this.cluster = redirects != null;
        this.redirects = redirects;
    }

    public static RedisLink of(StatefulRedisConnection<String, String> connection) {
        return new RedisLink(connection, connection.sync(), connection.async(), null);
    }

    /** A cluster connection; {@code redirects} flushes it after a redirect while it batches by hand. */
    static RedisLink of(StatefulRedisClusterConnection<String, String> connection, RedirectFlusher redirects) {
        return new RedisLink(connection, connection.sync(), connection.async(), redirects);
    }

    public RedisClusterCommands<String, String> sync() {
        return sync;
    }

    public RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** Whether this is a Redis Cluster connection. */
    public boolean cluster() {
        return cluster;
    }

    /** Off: commands wait in the connection until {@link #flushCommands()} (one write per batch). */
    public void setAutoFlushCommands(boolean autoFlush) {
        connection.setAutoFlushCommands(autoFlush);
        if (redirects != null) {
            redirects.batching(this, !autoFlush);
        }
    }

    public void flushCommands() {
        connection.flushCommands();
    }

    public void setTimeout(Duration timeout) {
        connection.setTimeout(timeout);
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    public void close() {
        if (redirects != null) {
            redirects.batching(this, false);
        }
        connection.close();
    }
}
