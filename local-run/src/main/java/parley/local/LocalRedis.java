package parley.local;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import redis.embedded.RedisServer;

/**
 * The Redis the local run uses: {@code REDIS_URL} when given, else a {@code redis-server} from the
 * PATH (append-only persistence in {@code .run/redis}), else an embedded Redis from the
 * embedded-redis Maven package.
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
        String binary = onPath("redis-server");
        if (binary != null) {
            Process p = new ProcessBuilder(List.of(
                            binary,
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--appendonly",
                            "yes",
                            "--dir",
                            dataDir.toString(),
                            "--save",
                            ""))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dataDir.resolve("redis.log").toFile()))
                    .start();
            awaitListening(port, p::isAlive);
            return new LocalRedis(
                    "127.0.0.1",
                    port,
                    "redis-server " + binary,
                    () -> {
                        p.destroy();
                        if (!p.waitFor(20, TimeUnit.SECONDS)) {
                            p.destroyForcibly();
                        }
                    },
                    p.pid());
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

    /** Waits until Redis answers PING with PONG (not just listening: it may still be loading its AOF). */
    private static void awaitListening(int port, BooleanSupplier alive) throws IOException {
        for (int i = 0; i < 600 && alive.getAsBoolean(); i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(2000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = new byte[7];
                int n = socket.getInputStream().read(reply);
                if (n >= 5 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IOException("Redis did not answer PING on port " + port + " within a minute");
    }

    @Override
    public void close() throws Exception {
        stopper.close();
    }
}
