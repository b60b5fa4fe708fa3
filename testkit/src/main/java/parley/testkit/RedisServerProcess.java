package parley.testkit;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import parley.local.FreePorts;

/**
 * A {@code redis-server} child process on a free loopback port, with its own temporary directory,
 * destroyed (and the directory removed) when the JVM exits. {@code --port 0} is not supported by
 * Redis, so a free port is picked here and the start retried on a clash.
 */
public final class RedisServerProcess {
    private volatile Process process;
    private final int port;
    private final Path dir;
    private final boolean persistent;

    private RedisServerProcess(Process process, int port, Path dir, boolean persistent) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
    }

    public int port() {
        return port;
    }

    public String url(int db) {
        return "redis://127.0.0.1:" + port + "/" + db;
    }

    /** Starts one without persistence, or throws {@link UnavailableException} saying why it could not. */
    public static RedisServerProcess start() {
        return start(false);
    }

    /**
     * @param persistent append-only file with {@code appendfsync everysec}, as compose runs Redis,
     *     so that {@link #kill()} then {@link #restart()} is a crash and recovery
     */
    public static RedisServerProcess start(boolean persistent) {
        String binary = findBinary();
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = FreePorts.next();
            try {
                Path dir = Files.createTempDirectory("parley-test-redis-");
                Process process = launch(binary, port, dir, persistent);
                if (awaitListening(process, port)) {
                    RedisServerProcess server = new RedisServerProcess(process, port, dir, persistent);
                    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-redis-stop"));
                    return server;
                }
                process.destroyForcibly();
            } catch (IOException e) {
                throw new UnavailableException("could not start " + binary + ": " + e.getMessage());
            }
        }
        throw new UnavailableException("redis-server did not start listening after 5 attempts");
    }

    private static Process launch(String binary, int port, Path dir, boolean persistent) throws IOException {
        return new ProcessBuilder(List.of(
                        binary,
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        persistent ? "yes" : "no",
                        "--appendfsync",
                        "everysec",
                        "--dir",
                        dir.toString(),
                        "--daemonize",
                        "no",
                        "--loglevel",
                        "warning"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("redis.log").toFile()))
                .start();
    }

    /** SIGKILL: a crash (what the last second of writes is not yet synced to the append-only file). */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts it again on the same port and directory (with its append-only file, when persistent). */
    public void restart() {
        try {
            process = launch(findBinary(), port, dir, persistent);
        } catch (IOException e) {
            throw new UnavailableException("could not restart redis-server: " + e.getMessage());
        }
        if (!awaitListening(process, port)) {
            throw new UnavailableException("redis-server did not listen again on port " + port);
        }
    }

    public void stop() {
        process.destroy();
        try {
            process.waitFor();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    private static String findBinary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/usr/local/bin:/usr/sbin").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new UnavailableException("no redis-server on PATH");
    }

    private static boolean awaitListening(Process process, int port) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** No redis-server could be had. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }
}
