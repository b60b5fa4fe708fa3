package parley.testkit;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.Arrays;
import parley.launcher.RedisCluster;

/**
 * A real 3-master Redis Cluster for tests of cluster mode (SPEC §7.1): {@code redis-server
 * --cluster-enabled yes} processes on free ports joined by {@code redis-cli --cluster create}, one
 * per test JVM, started on first use and stopped when the JVM exits.
 */
public final class TestRedisCluster {
    private static TestRedisCluster shared;

    private final RedisCluster cluster;
    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> admin;

    private TestRedisCluster(RedisCluster cluster) {
        this.cluster = cluster;
        this.client = RedisClusterClient.create(
                Arrays.stream(cluster.seeds().split(",")).map(RedisURI::create).toList());
        this.admin = client.connect();
    }

    /** The cluster shared by every test of this JVM. */
    public static synchronized TestRedisCluster shared() {
        if (shared == null) {
            shared = new TestRedisCluster(RedisCluster.start(3, false));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-redis-cluster-stop"));
        }
        return shared;
    }

    /** The seed list services read in cluster mode: {@code redis://127.0.0.1:p1,…}. */
    public String seeds() {
        return cluster.seeds();
    }

    public RedisCluster cluster() {
        return cluster;
    }

    /** A cluster connection for a test's own checks. The caller closes it. */
    public StatefulRedisClusterConnection<String, String> connect() {
        return client.connect();
    }

    /** Empties every master. */
    public void flushAll() {
        admin.sync().flushall();
    }

    private void close() {
        admin.close();
        client.shutdown();
        cluster.stop();
    }
}
