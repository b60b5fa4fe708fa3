package parley.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;

/**
 * A real Redis server for tests, found in this order: {@code REDIS_URL} (a disposable server: tests
 * flush it), Testcontainers when a Docker engine is reachable, or a {@code redis-server} process on
 * a free port with its own temporary directory, stopped when the JVM exits.
 */
public final class TestRedis {
    private static TestRedis shared;

    private final String host;
    private final int port;
    private final String origin;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> admin;

    TestRedis(String host, int port, String origin) {
        this.host = host;
        this.port = port;
        this.origin = origin;
        this.client = RedisClient.create(RedisURI.create(host, port));
        this.admin = client.connect();
    }

    /** The server shared by every test of this JVM, started on first use. */
    public static synchronized TestRedis shared() {
        if (shared == null) {
            shared = RedisLocator.locate();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::closeClient, "test-redis-client-close"));
        }
        return shared;
    }

    /** {@code redis://host:port/db}, the form every service reads from its environment. */
    public String url(int db) {
        return "redis://" + host + ":" + port + "/" + db;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Where this server came from: {@code REDIS_URL}, {@code testcontainers} or {@code redis-server}. */
    public String origin() {
        return origin;
    }

    /** A connection to database {@code db}, for a test's own checks. The caller closes it. */
    public StatefulRedisConnection<String, String> connect(int db) {
        return client.connect(RedisURI.create(URI.create(url(db))));
    }

    /**
     * How many times the server ran {@code command} (lower case, e.g. {@code xtrim}) since its
     * start or the last {@code CONFIG RESETSTAT}: {@code INFO commandstats}, for a test that
     * checks how a piece of work is split into commands.
     */
    public long commandCalls(String command) {
        String stats = admin.sync().info("commandstats");
        String field = "cmdstat_" + command + ":calls=";
        int at = stats.indexOf(field);
        if (at < 0) {
            return 0;
        }
        int from = at + field.length();
        return Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
    }

    /** Empties every database. */
    public void flushAll() {
        admin.sync().flushall();
    }

    private void closeClient() {
        admin.close();
        client.shutdown();
    }

    static TestRedis fromUrl(String url, String origin) {
        URI uri = URI.create(url);
        return new TestRedis(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), origin);
    }
}
