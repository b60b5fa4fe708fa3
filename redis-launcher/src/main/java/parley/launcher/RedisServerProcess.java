package parley.launcher;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} child process on loopback: the one launcher of the local run, the test
 * kit and the benchmarks. By default on a free port with its own temporary directory, destroyed
 * (and the directory removed) when the JVM exits. {@code --port 0} is not supported by Redis, so
 * a free port is picked here and the start retried on a clash. It counts as started once it
 * answers {@code PING} (not merely listens: it may still be loading its append-only file).
 */
public final class RedisServerProcess {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How to run it.
     *
     * @param port the port, or 0 for a free one
     * @param dir its working directory (append-only file, {@code redis.log}), kept on stop; null
     *     for a temporary one, removed on stop
     * @param persistent append-only file with {@code appendfsync everysec}, as compose runs Redis
     * @param cluster a node of a Redis Cluster ({@code cluster-enabled yes}, its {@code nodes.conf} in
     *     {@code dir}); {@link RedisCluster} joins such nodes into one cluster
     */
    public record Options(int port, Path dir, boolean persistent, boolean cluster) {
        public Options(int port, Path dir, boolean persistent) {
            this(port, dir, persistent, false);
        }
    }

    /** Stops it when the JVM exits, unless {@link #stoppedByOwner} said someone else will. */
    private final Thread atExit = new Thread(this::stop, "redis-server-stop");

    private volatile Process process;
    private final int port;
    private final Path dir;
    private final boolean persistent;
    private final boolean cluster;
    private final boolean temporary;

    private RedisServerProcess(Process process, int port, Path dir, Options options, boolean temporary) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.persistent = options.persistent();
        this.cluster = options.cluster();
        this.temporary = temporary;
    }

    public long pid() {
        return process.pid();
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
        return start(new Options(0, null, persistent));
    }

    /** Starts one as {@code options} say, or throws {@link UnavailableException} saying why it could not. */
    public static RedisServerProcess start(Options options) {
        String binary = findBinary("redis-server");
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = options.port() > 0 ? options.port() : FreePorts.next();
            try {
                Path dir = options.dir() != null
                        ? Files.createDirectories(options.dir())
                        : Files.createTempDirectory("parley-redis-");
                Process process = launch(binary, port, dir, options.persistent(), options.cluster());
                if (awaitPong(process, port)) {
                    RedisServerProcess server =
                            new RedisServerProcess(process, port, dir, options, options.dir() == null);
                    Runtime.getRuntime().addShutdownHook(server.atExit);
                    return server;
                }
                process.destroyForcibly();
                if (options.port() > 0) {
                    break; // a given port: trying it again would fail the same way
                }
            } catch (IOException e) {
                throw new UnavailableException("could not start " + binary + ": " + e.getMessage());
            }
        }
        throw new UnavailableException("redis-server did not start (see redis.log in its directory)");
    }

    private static Process launch(String binary, int port, Path dir, boolean persistent, boolean cluster)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
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
                "warning"));
        if (cluster) {
            command.addAll(List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "5000"));
        }
        return new ProcessBuilder(command)
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
            process = launch(findBinary("redis-server"), port, dir, persistent, cluster);
        } catch (IOException e) {
            throw new UnavailableException("could not restart redis-server: " + e.getMessage());
        }
        if (!awaitPong(process, port)) {
            throw new UnavailableException("redis-server did not listen again on port " + port);
        }
    }

    /**
     * Leaves stopping it to its owner, who calls {@link #stop} when its clients are done. Otherwise
     * it is stopped when the JVM exits, by a shutdown hook of its own; the JVM runs all its hooks at
     * once, so an owner that stops its clients first from a hook of its own (the local launcher stops
     * the services, then Redis) would see Redis gone while its clients still use it.
     */
    public RedisServerProcess stoppedByOwner() {
        try {
            Runtime.getRuntime().removeShutdownHook(atExit);
        } catch (IllegalStateException exiting) {
            // the JVM is already exiting: its hooks have started, this one with them
        }
        return this;
    }

    /** Stops it (SIGTERM, then SIGKILL after 20 s); a temporary directory is removed. */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            if (!temporary) {
                return;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    /** {@code redis-server} or {@code redis-cli} from the PATH (or the usual places). */
    static String findBinary(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/usr/local/bin:/usr/sbin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new UnavailableException("no " + name + " on PATH");
    }

    /** Waits until it answers PING with PONG; false when it died or did not within the timeout. */
    private static boolean awaitPong(Process process, int port) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(2000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = new byte[7];
                int n = socket.getInputStream().read(reply);
                if (n >= 5 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
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
