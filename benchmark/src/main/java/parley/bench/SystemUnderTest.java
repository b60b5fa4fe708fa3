package parley.bench;

import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import parley.frontend.FrontendApp;
import parley.frontend.FrontendConfig;
import parley.local.LocalRedis;
import parley.local.Topology;
import parley.message.MessageApp;
import parley.message.MessageConfig;
import parley.notification.NotificationApp;
import parley.notification.NotificationConfig;
import parley.runtime.config.Env;
import parley.user.UserApp;
import parley.user.UserConfig;

/** Where the load goes: a running system, or one started inside this JVM. */
final class SystemUnderTest implements AutoCloseable {
    final String host;
    final Topology.Ports ports;
    final String redisUrl;
    private final List<AutoCloseable> owned = new ArrayList<>();

    private SystemUnderTest(String host, Topology.Ports ports, String redisUrl) {
        this.host = host;
        this.ports = ports;
        this.redisUrl = redisUrl;
    }

    static SystemUnderTest target(String host, String redisUrl) {
        return new SystemUnderTest(host, Topology.Ports.standard(), redisUrl);
    }

    /** Redis (REDIS_URL, else redis-server, else embedded) and the four services in this JVM. */
    static SystemUnderTest inProcess() throws Exception {
        return inProcess(Map.of());
    }

    /** The same, with extra settings for notification-svc (e.g. a small PUSH_WINDOW). */
    static SystemUnderTest inProcess(Map<String, String> notificationSettings) throws Exception {
        String url = System.getProperty("parley.bench.redis", System.getenv("REDIS_URL"));
        LocalRedis redis = LocalRedis.start(url, Files.createTempDirectory("parley-bench-redis"));
        Topology.Ports ports = Topology.Ports.free();
        SystemUnderTest sut =
                new SystemUnderTest("127.0.0.1", ports, redis.url(0).replaceAll("/0$", ""));
        sut.owned.add(redis);
        String secret = "bench-secret-bench-secret-bench-secret";
        Map<String, Map<String, String>> envs = Topology.environments(redis::url, ports, secret);
        sut.owned.add(UserApp.start(UserConfig.from(env(envs.get("user-svc"), Map.of("BCRYPT_COST", "4")))));
        sut.owned.add(MessageApp.start(MessageConfig.from(env(envs.get("message-svc"), Map.of()))));
        sut.owned.add(NotificationApp.start(NotificationConfig.from(
                env(envs.get("notification-svc"), merged(Map.of("CONSUMER_BLOCK_MS", "500"), notificationSettings)))));
        sut.owned.add(FrontendApp.start(FrontendConfig.from(env(envs.get("frontend-svc"), Map.of()))));
        return sut;
    }

    /** The processes whose CPU the report breaks down: the services, Redis and this tool. */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        if (owned.isEmpty()) {
            for (String svc : List.of("user-svc", "message-svc", "notification-svc", "frontend-svc")) {
                // a second instance of a service (PARLEY_INSTANCES=2) is its own line
                List<Long> found = ProcCpu.findAll(svc + ".jar", "");
                for (int i = 0; i < found.size(); i++) {
                    pids.put(i == 0 ? svc : svc + "#" + (i + 1), found.get(i));
                }
            }
            pids.put("load-tool", self);
        } else {
            pids.put("services+load-tool (one JVM)", self);
        }
        // the Redis the system uses: the redis-server whose command line names its port; on a
        // cluster (--redis given as the seed list), every node
        String[] seeds = redisUrl.split(",");
        for (String seed : seeds) {
            int port = URI.create(seed.strip()).getPort();
            long redis = ProcCpu.find("redis-server", ":" + (port > 0 ? port : 6379));
            if (redis > 0) {
                pids.put(seeds.length == 1 ? "redis" : "redis:" + port, redis);
            }
        }
        return pids;
    }

    private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new HashMap<>(a);
        all.putAll(b);
        return all;
    }

    private static Env env(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(extra);
        return new Env(all);
    }

    @Override
    public void close() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}
