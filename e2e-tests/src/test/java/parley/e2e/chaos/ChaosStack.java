package parley.e2e.chaos;

import static parley.testkit.HttpJson.obj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.launcher.FreePorts;
import parley.launcher.RedisServerProcess;
import parley.local.ServiceProcess;
import parley.local.Topology;
import parley.testkit.HttpJson;

/**
 * Parley as separate processes on a Redis of its own (append-only, {@code everysec}, so it can be
 * killed and restarted), with two instances each of notification-svc and frontend-svc:
 * {@code notification-svc-1/2} push to both frontends ({@code FRONTEND_SVC_ADDR} lists them).
 */
final class ChaosStack implements AutoCloseable {
    static final String SECRET = "chaos-secret-chaos-secret-chaos-secret!";
    static final List<String> NOTIFICATION = List.of("notification-svc-1", "notification-svc-2");
    static final List<String> FRONTEND = List.of("frontend-svc-1", "frontend-svc-2");

    final RedisServerProcess redis = RedisServerProcess.start(true);
    private final Topology.Ports ports = Topology.Ports.free();
    private final Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final Path root =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    private final Path logs;

    /**
     * @param extra variables for every service (e.g. {@code EVENTS_MAXLEN}), over the chaos defaults
     */
    ChaosStack(String scenario, Map<String, String> extra) throws IOException {
        logs = Files.createDirectories(root.resolve("e2e-tests/target/chaos-logs/" + scenario));
        Map<String, Map<String, String>> base = Topology.environments(redis::url, ports, SECRET);
        int frontendGrpc2 = FreePorts.next();
        int notificationGrpc2 = FreePorts.next();
        String frontends = "127.0.0.1:" + ports.frontendGrpc() + ",127.0.0.1:" + frontendGrpc2;
        String notifications = "127.0.0.1:" + ports.notificationGrpc() + ",127.0.0.1:" + notificationGrpc2;
        envs.put("user-svc", with(base.get("user-svc"), extra));
        envs.put("message-svc", with(base.get("message-svc"), extra));
        for (int i = 0; i < 2; i++) {
            Map<String, String> env = with(base.get("notification-svc"), extra);
            env.put("FRONTEND_SVC_ADDR", frontends);
            env.put("CONSUMER_NAME", NOTIFICATION.get(i));
            if (i == 1) {
                env.put("HTTP_PORT", Integer.toString(FreePorts.next()));
                env.put("GRPC_PORT", Integer.toString(notificationGrpc2));
            }
            envs.put(NOTIFICATION.get(i), env);
        }
        for (int i = 0; i < 2; i++) {
            Map<String, String> env = with(base.get("frontend-svc"), extra);
            env.put("NOTIFICATION_SVC_ADDR", notifications);
            if (i == 1) {
                env.put("HTTP_PORT", Integer.toString(FreePorts.next()));
                env.put("GRPC_PORT", Integer.toString(frontendGrpc2));
            }
            envs.put(FRONTEND.get(i), env);
        }
        try {
            envs.keySet().forEach(this::launch);
            running.values().forEach(s -> s.awaitReady(Duration.ofSeconds(90)));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Map<String, String> with(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>(base);
        env.put("BCRYPT_COST", "4");
        env.put("CONSUMER_BLOCK_MS", "200");
        env.put("CONSUMER_CLAIM_IDLE_MS", "3000");
        env.put("CONSUMER_LEASE_MS", "3000");
        env.put("NOTIFICATIONS_MAX_PER_USER", "100000");
        env.put("PUSH_DEADLINE_MS", "1000");
        env.put("PUSH_GIVE_UP_MS", "15000");
        env.put("EVENTS_TRIM_INTERVAL_MS", "500");
        env.putAll(extra);
        return env;
    }

    private void launch(String name) {
        Map<String, String> env = envs.get(name);
        String module = name.replaceAll("-\\d$", "");
        running.put(name, new ServiceProcess(root, module, Topology.httpPort(env), env, logs, null, name).start());
    }

    void start(String name) {
        launch(name);
        running.get(name).awaitReady(Duration.ofSeconds(90));
    }

    ServiceProcess get(String name) {
        return running.get(name);
    }

    /** SIGKILL. */
    void kill(String name) {
        running.get(name).kill();
    }

    /** SIGSTOP / SIGCONT: a process that hangs (a GC pause, a frozen VM), then goes on. */
    void pause(String name, boolean paused) throws Exception {
        Process p = new ProcessBuilder(
                        "kill",
                        paused ? "-STOP" : "-CONT",
                        Long.toString(running.get(name).pid()))
                .inheritIO()
                .start();
        p.waitFor();
    }

    int httpPort(String name) {
        return Topology.httpPort(envs.get(name));
    }

    HttpJson users() {
        return new HttpJson(ports.userHttp());
    }

    HttpJson messages() {
        return new HttpJson(ports.messageHttp());
    }

    /** Registers and logs in; returns the token. */
    String register(String email) {
        users().post(
                        "/users",
                        obj("name", email.substring(0, email.indexOf('@')), "email", email, "password", "secret-pass"),
                        null);
        return users().post("/login", obj("email", email, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
    }

    /** Every service answers {@code /ready}. */
    boolean allReady() {
        return running.entrySet().stream().allMatch(e -> e.getValue().alive() && ready(e.getKey()));
    }

    private boolean ready(String name) {
        try {
            return new HttpJson(httpPort(name)).get("/ready", null).status() == 200;
        } catch (RuntimeException notAnswering) {
            return false;
        }
    }

    @Override
    public void close() {
        running.values().forEach(ServiceProcess::askToStop);
        running.values().forEach(ServiceProcess::awaitStop);
        redis.stop();
    }
}
