package parley.runtime.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's one {@link RedisClient} and the long-lived connections made from it. Commands
 * time out after 5 s instead of queueing forever while Redis is away; connections reconnect.
 */
public final class RedisConnections implements AutoCloseable {
    private final RedisClient client;
    private final List<AutoCloseable> opened = new ArrayList<>();

    public RedisConnections() {
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                .build());
    }

    /** A shared, thread-safe connection for ordinary commands. */
    public synchronized StatefulRedisConnection<String, String> connect(String url) {
        StatefulRedisConnection<String, String> connection = client.connect(RedisURI.create(url));
        opened.add(connection);
        return connection;
    }

    /**
     * A dedicated connection for blocking commands ({@code XREADGROUP BLOCK}), so they never hold
     * up the shared one. Its timeout leaves room for the block time.
     */
    public synchronized StatefulRedisConnection<String, String> connectBlocking(String url, Duration block) {
        StatefulRedisConnection<String, String> connection = client.connect(RedisURI.create(url));
        connection.setTimeout(block.plusSeconds(5));
        opened.add(connection);
        return connection;
    }

    public synchronized StatefulRedisPubSubConnection<String, String> connectPubSub(String url) {
        StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub(RedisURI.create(url));
        opened.add(connection);
        return connection;
    }

    /** PING on a connection, for readiness. */
    public static boolean ping(StatefulRedisConnection<String, String> connection) {
        try {
            return connection.isOpen() && "PONG".equals(connection.sync().ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
