package parley.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.launcher.FreePorts;
import parley.local.ServiceProcess;
import parley.local.Topology;
import parley.testkit.HttpJson;
import parley.testkit.TestRedisCluster;

/**
 * Parley in cluster mode as separate processes on a real 3-master Redis Cluster: one user-svc and
 * one message-svc, and two instances each of notification-svc and frontend-svc (each
 * notification-svc pushes to both frontends, each frontend asks both notification-svcs).
 */
final class ClusterStack implements AutoCloseable {
    /** The second instances' names (their log files). */
    static final String NOTIFICATION_2 = "notification-svc-2";

    static final String FRONTEND_2 = "frontend-svc-2";

    final Topology.Ports ports;
    final int notification2Http = FreePorts.next();
    final int notification2Grpc = FreePorts.next();
    final int frontend2Http = FreePorts.next();
    final int frontend2Grpc = FreePorts.next();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Path root =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();

    ClusterStack(TestRedisCluster cluster) throws Exception {
        ports = Topology.Ports.free();
        Path logs = Files.createDirectories(root.resolve("e2e-tests/target/e2e-logs"));
        Map<String, Map<String, String>> envs =
                Topology.environments(db -> cluster.seeds(), ports, ProcessStack.SECRET);
        String notifications = "127.0.0.1:" + ports.notificationGrpc() + ",127.0.0.1:" + notification2Grpc;
        String frontends = "127.0.0.1:" + ports.frontendGrpc() + ",127.0.0.1:" + frontend2Grpc;
        try {
            for (var entry : envs.entrySet()) {
                String name = entry.getKey();
                Map<String, String> env = common(entry.getValue());
                switch (name) {
                    case "notification-svc" -> {
                        env.put("FRONTEND_SVC_ADDR", frontends);
                        start(name, name, env, logs);
                        Map<String, String> second = new LinkedHashMap<>(env);
                        second.put("HTTP_PORT", Integer.toString(notification2Http));
                        second.put("GRPC_PORT", Integer.toString(notification2Grpc));
                        second.put("CONSUMER_NAME", NOTIFICATION_2);
                        start(name, NOTIFICATION_2, second, logs);
                    }
                    case "frontend-svc" -> {
                        env.put("NOTIFICATION_SVC_ADDR", notifications);
                        start(name, name, env, logs);
                        Map<String, String> second = new LinkedHashMap<>(env);
                        second.put("HTTP_PORT", Integer.toString(frontend2Http));
                        second.put("GRPC_PORT", Integer.toString(frontend2Grpc));
                        start(name, FRONTEND_2, second, logs);
                    }
                    default -> start(name, name, env, logs);
                }
            }
            for (ServiceProcess s : services.values()) {
                s.awaitReady(Duration.ofSeconds(90));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Map<String, String> common(Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("REDIS_CLUSTER", "true");
        all.put("BCRYPT_COST", "4");
        all.put("CONSUMER_BLOCK_MS", "200");
        all.put("PUSH_GIVE_UP_MS", "60000");
        return all;
    }

    private void start(String service, String instance, Map<String, String> env, Path logs) {
        services.put(
                instance, new ServiceProcess(root, service, Topology.httpPort(env), env, logs, null, instance).start());
    }

    List<String> instances() {
        return List.copyOf(services.keySet());
    }

    HttpJson users() {
        return new HttpJson(ports.userHttp());
    }

    HttpJson messages() {
        return new HttpJson(ports.messageHttp());
    }

    HttpJson notifications() {
        return new HttpJson(ports.notificationHttp());
    }

    String register(String email) {
        return ProcessStack.register(users(), email);
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::close);
    }
}
