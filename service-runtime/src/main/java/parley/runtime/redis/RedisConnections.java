package parley.runtime.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's Redis clients and the long-lived connections made from them. Commands time out
 * after 5 s instead of queueing forever while Redis is away; connections reconnect.
 *
 * <p>Standalone (the default), a location is {@code redis://host:port/db}. In cluster mode (SPEC
 * §7.1, {@code REDIS_CLUSTER=true}) it is a comma-separated list of seed nodes of one Redis
 * Cluster; lettuce's cluster client learns the topology from them, follows {@code MOVED} and
 * {@code ASK}, and refreshes the topology when it sees either (adaptive refresh) and every 30 s. A
 * connection that batches by hand is flushed again after a redirect ({@link RedirectFlusher}).
 */
public final class RedisConnections implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final boolean cluster;
    private final RedisClient client;
    private final Map<String, RedisClusterClient> clusterClients = new HashMap<>();
    private final Map<RedisClusterClient, RedirectFlusher> redirectFlushers = new HashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Standalone Redis. */
    public RedisConnections() {
        this(false);
    }

    /** @param cluster locations are seed lists of a Redis Cluster */
    public RedisConnections(boolean cluster) {
        this.cluster = cluster;
        this.client = cluster ? null : RedisClient.create();
        if (client != null) {
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .build());
        }
    }

    public boolean cluster() {
        return cluster;
    }

    /** A shared, thread-safe connection for ordinary commands. */
    public synchronized RedisLink connect(String url) {
        RedisLink link;
        if (cluster) {
            RedisClusterClient c = clusterClient(url);
            link = RedisLink.of(c.connect(), redirectFlushers.computeIfAbsent(c, RedirectFlusher::new));
        } else {
            link = RedisLink.of(client.connect(uri(url)));
        }
        opened.add(link::close);
        return link;
    }

    /**
     * A dedicated connection for blocking commands ({@code XREADGROUP BLOCK}), so they never hold
     * up the shared one. Its timeout leaves room for the block time.
     */
    public synchronized RedisLink connectBlocking(String url, Duration block) {
        RedisLink link = connect(url);
        link.setTimeout(block.plusSeconds(5));
        return link;
    }

    /**
     * A Pub/Sub connection. On a cluster it is lettuce's cluster Pub/Sub connection: {@code
     * SSUBSCRIBE} goes to the node owning the channel's slot, and plain {@code SUBSCRIBE} to one node
     * (a cluster delivers {@code PUBLISH} to every node).
     */
    public synchronized StatefulRedisPubSubConnection<String, String> connectPubSub(String url) {
        StatefulRedisPubSubConnection<String, String> connection =
                cluster ? clusterClient(url).connectPubSub() : client.connectPubSub(uri(url));
        opened.add(connection);
        return connection;
    }

    private RedisClusterClient clusterClient(String seeds) {
        return clusterClients.computeIfAbsent(seeds.strip(), s -> {
            List<RedisURI> uris = Arrays.stream(s.split(","))
                    .map(String::strip)
                    .map(RedisConnections::uri)
                    .toList();
            RedisClusterClient created = RedisClusterClient.create(uris);
            created.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            return created;
        });
    }

    private static RedisURI uri(String url) {
        return RedisURI.create(url);
    }

    /** PING on a connection, for readiness (on a cluster: the node a keyless command goes to). */
    public static boolean ping(RedisLink connection) {
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
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        redirectFlushers.values().forEach(RedirectFlusher::close);
        clusterClients.values().forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    }
}
