package parley.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import parley.launcher.FreePorts;
import parley.launcher.RedisCluster;

/**
 * Runs Parley on this machine without Docker: Redis, then the four services as separate
 * processes, waits until all are ready, prints where the page and logs are, and stops everything
 * on Ctrl-C. Run from the repository root (./run.sh does).
 */
public final class LocalRun {
    private LocalRun() {}

    public static void main(String[] args) throws Exception {
        Path root =
                Path.of(System.getProperty("parley.root", ".")).toAbsolutePath().normalize();
        Path state = root.resolve(".run");
        Path logs = state.resolve("logs");
        Files.createDirectories(logs);
        String secret = secret(state);
        Leftovers leftovers = new Leftovers(state.resolve("pids"));
        leftovers.stopAll();
        Topology.Ports ports = Topology.Ports.standard();
        int instances = instances(System.getenv("PARLEY_INSTANCES"));
        List<Integer> needed = new ArrayList<>(List.of(
                ports.userHttp(),
                ports.userGrpc(),
                ports.messageHttp(),
                ports.messageGrpc(),
                ports.notificationHttp(),
                ports.notificationGrpc(),
                ports.frontendHttp(),
                ports.frontendGrpc()));
        for (int k = 2; k <= instances; k++) {
            for (int port : List.of(
                    ports.messageHttp(),
                    ports.messageGrpc(),
                    ports.notificationHttp(),
                    ports.notificationGrpc(),
                    ports.frontendHttp(),
                    ports.frontendGrpc())) {
                needed.add(port + Topology.INSTANCE_PORT_STEP * (k - 1));
            }
        }
        for (int port : needed) {
            if (!FreePorts.isFree(port)) {
                System.err.println("Port " + port
                        + " is already in use (is Parley already running?). Stop whatever holds it and try again.");
                System.exit(1);
            }
        }

        AtomicReference<AutoCloseable> redisToStop = new AtomicReference<>();
        List<ServiceProcess> services = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nStopping Parley…");
                            // all at once, each within a bounded time (a stuck one is killed), so stopping never hangs
                            services.forEach(ServiceProcess::askToStop);
                            services.forEach(ServiceProcess::awaitStop);
                            try {
                                AutoCloseable r = redisToStop.get();
                                if (r != null) {
                                    r.close(); // last: the services may use it until they are gone
                                }
                            } catch (Exception e) {
                                System.err.println("stopping Redis: " + e.getMessage());
                            }
                            System.out.println("Stopped.");
                            leftovers.forget();
                            stopped.countDown();
                        },
                        "parley-stop"));

        // PARLEY_REDIS_CLUSTER=true: a local 3-master Redis Cluster, every service in cluster mode
        boolean cluster = "true".equalsIgnoreCase(System.getenv("PARLEY_REDIS_CLUSTER"));
        AutoCloseable redis;
        IntFunction<String> redisUrl;
        String origin;
        if (cluster) {
            RedisCluster nodes = RedisCluster.start(3, true).stoppedByOwner();
            nodes.nodes().forEach(n -> leftovers.remember(n.pid()));
            redis = nodes::stop;
            redisUrl = db -> nodes.seeds();
            origin = "a 3-master Redis Cluster at " + nodes.seeds()
                    + " (REDIS_CLUSTER=true; its data goes when Parley stops)";
        } else {
            LocalRedis local = LocalRedis.start(System.getenv("REDIS_URL"), state.resolve("redis"));
            leftovers.remember(local.pid());
            redis = local;
            redisUrl = local::url;
            origin = local.origin();
        }
        redisToStop.set(redis);

        System.out.println("Redis: " + origin);
        try {
            for (Map.Entry<String, Map<String, String>> e :
                    Topology.environments(redisUrl, ports, secret, instances).entrySet()) {
                Map<String, String> env = new LinkedHashMap<>(e.getValue());
                if (cluster) {
                    env.put("REDIS_CLUSTER", "true");
                }
                ServiceProcess service = new ServiceProcess(
                                root, e.getKey(), Topology.httpPort(env), env, logs, state.resolve("warm"))
                        .start();
                services.add(service);
                leftovers.remember(service.pid());
                System.out.println("started " + e.getKey() + " (log: " + logs.resolve(e.getKey() + ".log") + ")");
                // more instances of the services that scale out, on the standard ports + 100 per instance
                for (int k = 2; k <= instances && Topology.SCALED.contains(e.getKey()); k++) {
                    Map<String, String> more = Topology.instance(env, e.getKey(), k);
                    String name = e.getKey() + "-" + k;
                    ServiceProcess extra = new ServiceProcess(
                                    root, e.getKey(), Topology.httpPort(more), more, logs, null, name)
                            .start();
                    services.add(extra);
                    leftovers.remember(extra.pid());
                    System.out.println("started " + name + " (log: " + logs.resolve(name + ".log") + ")");
                }
            }
            for (ServiceProcess s : services) {
                s.awaitReady(Duration.ofSeconds(90));
                System.out.println(s.name() + " ready on http://localhost:" + s.httpPort());
            }
        } catch (RuntimeException e) {
            System.err.println("Parley did not start: " + e.getMessage());
            System.exit(1);
        }
        System.out.println();
        System.out.println("Parley is running. Open http://localhost:" + ports.frontendHttp()
                + "/ in a normal and a private window");
        System.out.println(
                "(or two browsers), register a user in each, and write from one to the other: it is notified live.");
        System.out.println("Logs: " + logs + "   Stop: Ctrl-C");
        stopped.await();
    }

    /** PARLEY_INSTANCES: how many processes of each scaled service (1 to 4; 1 when unset). */
    private static int instances(String given) {
        if (given == null || given.isBlank()) {
            return 1;
        }
        try {
            int n = Integer.parseInt(given.strip());
            if (n >= 1 && n <= 4) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("PARLEY_INSTANCES must be a number from 1 to 4, not '" + given + "'.");
        System.exit(2);
        return 1;
    }

    /** AUTH_SECRET from the environment, else one generated once and kept in .run/auth-secret. */
    private static String secret(Path state) throws Exception {
        String given = System.getenv("AUTH_SECRET");
        if (given != null && !given.isEmpty()) {
            if (given.getBytes(StandardCharsets.UTF_8).length < 32) {
                System.err.println(
                        "AUTH_SECRET must be at least 32 bytes long (e.g. openssl rand -hex 32), or unset to use a generated one.");
                System.exit(2);
            }
            return given;
        }
        Path file = state.resolve("auth-secret");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        Files.writeString(file, secret);
        return secret;
    }
}
