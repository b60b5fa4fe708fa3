package parley.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import parley.local.ServiceProcess;
import parley.local.Topology;
import parley.testkit.HttpJson;
import parley.testkit.TestRedis;

/** The four services as separate processes (their runnable jars), as run.sh and compose run them. */
final class ProcessStack implements AutoCloseable {
    static final String SECRET = "e2e-secret-e2e-secret-e2e-secret-!!";
    final Topology.Ports ports;
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> envs;
    private final Path root =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    private final Path logs;
    private final Map<String, String> extraEnv;

    ProcessStack(TestRedis redis) throws Exception {
        this(redis, Map.of());
    }

    /** @param extraEnv added to every service's environment (e.g. OTEL_* settings) */
    ProcessStack(TestRedis redis, Map<String, String> extraEnv) throws Exception {
        this.extraEnv = extraEnv;
        ports = Topology.Ports.free();
        envs = Topology.environments(redis::url, ports, SECRET);
        logs = Files.createDirectories(root.resolve("e2e-tests/target/e2e-logs"));
        try {
            for (String name : envs.keySet()) {
                start(name);
            }
            for (ServiceProcess s : services.values()) {
                s.awaitReady(Duration.ofSeconds(60));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    void start(String name) {
        Map<String, String> env = new LinkedHashMap<>(envs.get(name));
        env.put("BCRYPT_COST", "4");
        env.put("CONSUMER_BLOCK_MS", "200");
        env.put("PUSH_GIVE_UP_MS", "60000");
        env.putAll(extraEnv);
        services.put(name, new ServiceProcess(root, name, Topology.httpPort(env), env, logs).start());
    }

    void restart(String name) {
        start(name);
        services.get(name).awaitReady(Duration.ofSeconds(60));
    }

    ServiceProcess get(String name) {
        return services.get(name);
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

    HttpJson web() {
        return new HttpJson(ports.frontendHttp());
    }

    String register(String email) {
        return register(users(), email);
    }

    /** Registers {@code email} (password {@code secret-pass}) through user-svc's REST API and logs in: the token. */
    static String register(HttpJson users, String email) {
        users.post(
                "/users",
                HttpJson.obj("name", email.substring(0, email.indexOf('@')), "email", email, "password", "secret-pass"),
                null);
        return users.post("/login", HttpJson.obj("email", email, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::close);
    }
}
