package parley.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import parley.runtime.config.ConfigException;
import parley.runtime.config.Env;
import parley.runtime.tracing.Tracing;

/**
 * The shared {@code main}: fail fast on bad config, start, stop gracefully on SIGTERM/Ctrl-C, but
 * never hang there (a bounded grace period, then the process halts). When started by a launcher
 * that sets {@code PARLEY_PARENT_PID}, the service also stops when that process is gone (killed,
 * its terminal closed), so no orphan keeps the ports.
 */
public final class ServiceMain {
    /** How long a graceful stop may take before the process halts. */
    static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private ServiceMain() {}

    /**
     * Netty's buffer-leak detection (on by default, sampling one buffer in 128) records a stack trace
     * per sampled buffer: a debugging aid that a profile of the hot path showed as a large share of
     * notification-svc's allocation. Off unless a {@code -D} option sets it, for lettuce's Netty and
     * gRPC's shaded copy alike; set before either is loaded.
     */
    static void nettyDefaults() {
        for (String property :
                List.of("io.netty.leakDetection.level", "io.grpc.netty.shaded.io.netty.leakDetection.level")) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "disabled");
            }
        }
    }

    public static void run(String name, Function<Env, ServiceHost> starter) {
        nettyDefaults();
        Env env = Env.system();
        ServiceHost host;
        try {
            Tracing.init(name);
        } catch (RuntimeException e) { // the SDK refuses a malformed OTEL_* setting
            System.err.println(name + ": configuration error: tracing: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            host = starter.apply(env);
        } catch (ConfigException e) {
            System.err.println(name + ": configuration error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println(name + ": failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Thread.ofPlatform()
                                    .daemon(true)
                                    .name(name + "-stop-deadline")
                                    .start(() -> haltAfter(name, STOP_GRACE));
                            host.close();
                            stopped.countDown();
                        },
                        name + "-shutdown"));
        env.optional("PARLEY_PARENT_PID").ifPresent(pid -> exitWithParent(name, pid));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void exitWithParent(String name, String pid) {
        long parent;
        try {
            parent = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            System.err.println(name + ": PARLEY_PARENT_PID must be a process id, got '" + pid + "'; not watching it");
            return;
        }
        ProcessHandle.of(parent)
                .ifPresentOrElse(h -> h.onExit().thenRun(() -> stop(name, parent)), () -> stop(name, parent));
    }

    private static void stop(String name, long parent) {
        System.err.println(name + ": the process that started it (" + parent + ") is gone; stopping");
        System.exit(0);
    }

    private static void haltAfter(String name, Duration grace) {
        try {
            Thread.sleep(grace.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        System.err.println(name + ": did not stop within " + grace.toSeconds() + " s; halting");
        Runtime.getRuntime().halt(1);
    }
}
