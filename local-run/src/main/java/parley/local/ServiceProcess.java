package parley.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Parley service as a separate process: {@code java -jar <module>/target/<module>.jar} with its environment. */
public final class ServiceProcess implements AutoCloseable {
    /**
     * The collector unless {@code PARLEY_JVM_OPTS} names another. Objects that outlive three young
     * collections go to the old generation: a service's survivors are either a request's (gone at
     * the next collection) or a session's (alive for minutes), and with the default of 15 the
     * latter were copied up to fifteen times (frontend-svc with 64 new live sessions at 1,000
     * msg/s: 3.4 MB of survivors and 4-6 ms pauses every 5 s, against 0.8 ms with 3).
     */
    static final List<String> DEFAULT_GC = List.of("-XX:+UseSerialGC", "-XX:MaxTenuringThreshold=3");

    private final String name;
    private final int httpPort;
    private final Path log;
    private final ProcessBuilder builder;
    private Process process;

    public ServiceProcess(Path root, String name, int httpPort, Map<String, String> env, Path logDir) {
        this(root, name, httpPort, env, logDir, null);
    }

    /**
     * @param warmCache where to keep the service's warm-start cache (see {@link WarmStart}), or
     *     null for a plain cold start (tests: a cache is written at exit, which costs time)
     */
    public ServiceProcess(Path root, String name, int httpPort, Map<String, String> env, Path logDir, Path warmCache) {
        this(root, name, httpPort, env, logDir, warmCache, name);
    }

    /**
     * @param instance this instance's name (its log file), when a service runs several times
     */
    public ServiceProcess(
            Path root,
            String name,
            int httpPort,
            Map<String, String> env,
            Path logDir,
            Path warmCache,
            String instance) {
        this.name = instance;
        this.httpPort = httpPort;
        this.log = logDir.resolve(instance + ".log");
        Path jar = root.resolve(name).resolve("target").resolve(name + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests package)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions(System.getenv("PARLEY_JVM_OPTS")));
        if (warmCache != null) {
            command.addAll(WarmStart.flags(warmCache, name, jar));
        }
        command.addAll(List.of("-jar", jar.toString()));
        this.builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        // the service stops by itself when this process is gone (killed, its terminal closed)
        builder.environment()
                .putIfAbsent(
                        "PARLEY_PARENT_PID",
                        Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * The services' JVM options: {@code -Xmx256m} and {@link #DEFAULT_GC}, then {@code PARLEY_JVM_OPTS}
     * (space-separated) if set; a collector named there replaces the default one.
     */
    static List<String> jvmOptions(String extra) {
        List<String> added = extra == null || extra.isBlank()
                ? List.of()
                : List.of(extra.trim().split("\\s+"));
        List<String> options = new ArrayList<>(List.of("-Xmx256m"));
        if (added.stream().noneMatch(o -> o.matches("-XX:\\+Use\\w+GC"))) {
            options.addAll(DEFAULT_GC);
        }
        options.add("--enable-native-access=ALL-UNNAMED");
        options.addAll(added);
        return options;
    }

    public ServiceProcess start() {
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The process id, once started. */
    /** The file this instance's stdout and stderr go to. */
    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits until {@code GET /ready} answers 200; fails early when the process dies. */
    public void awaitReady(Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!alive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; the end of "
                        + log + ":\n" + logTail(20));
            }
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException(
                name + " was not ready after " + timeout.toSeconds() + " s; the end of " + log + ":\n" + logTail(20));
    }

    /** The log's last lines, so a failure says why without a trip to the file (CI keeps only its output). */
    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(5);
        }
    }

    /** SIGTERM, then SIGKILL if it does not stop in time. */
    @Override
    public void close() {
        askToStop();
        awaitStop();
    }

    /** SIGTERM, without waiting: stop several at once, then {@link #awaitStop()} each. */
    public void askToStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    /** Waits a bounded time for a stop asked for, then SIGKILL. */
    public void awaitStop() {
        if (process != null && !waitFor(25)) {
            process.destroyForcibly();
            waitFor(5);
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
