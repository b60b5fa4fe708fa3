package parley.local;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import parley.launcher.FreePorts;
import parley.launcher.RedisServerProcess;
import redis.embedded.RedisServer;

/**
 * The Redis the local run uses: {@code REDIS_URL} when given, else a {@code redis-server} from the
 * PATH started by {@link RedisServerProcess} (append-only persistence in {@code .run/redis}), else
 * an embedded Redis from the embedded-redis Maven package.
 */
public final class LocalRedis implements AutoCloseable {
    private final String host;
    private final int port;
    private final String origin;
    private final AutoCloseable stopper;
    private final long pid;

    private LocalRedis(String host, int port, String origin, AutoCloseable stopper, long pid) {
        this.host = host;
        this.port = port;
        this.origin = origin;
        this.stopper = stopper;
        this.pid = pid;
    }

    /** The redis-server process this run started, or -1 (REDIS_URL, embedded). */
    public long pid() {
        return pid;
    }

    public static LocalRedis start(String redisUrl, Path dataDir) throws IOException {
        if (redisUrl != null && !redisUrl.isBlank()) {
            URI uri = URI.create(redisUrl.trim());
            return new LocalRedis(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), "REDIS_URL", () -> {}, -1);
        }
        Files.createDirectories(dataDir);
        int port = FreePorts.isFree(6379) ? 6379 : FreePorts.next();
        if (onPath("redis-server") != null) {
            RedisServerProcess server;
            try {
                // stopped by the launcher once the services have stopped, not alongside them
                server = RedisServerProcess.start(new RedisServerProcess.Options(port, dataDir, true))
                        .stoppedByOwner();
            } catch (RedisServerProcess.UnavailableException e) {
                throw new IOException(e.getMessage(), e);
            }
            return new LocalRedis("127.0.0.1", port, "redis-server", server::stop, server.pid());
        }
        RedisServer embedded = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("appendonly yes")
                .setting("dir " + dataDir)
                .build();
        embedded.start();
        awaitListening(port, () -> true);
        return new LocalRedis("127.0.0.1", port, "embedded Redis (embedded-redis package)", embedded::stop, -1);
    }

    public String url(int db) {
        return "redis://" + host + ":" + port + "/" + db;
    }

    public String origin() {
        return origin + " on " + host + ":" + port;
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Waits until the embedded Redis listens. */
    private static void awaitListening(int port, BooleanSupplier alive) throws IOException {
        for (int i = 0; i < 600 && alive.getAsBoolean(); i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IOException("Redis did not listen on port " + port + " within a minute");
    }

    @Override
    public void close() throws Exception {
        stopper.close();
    }
}
