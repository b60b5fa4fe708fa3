package parley.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import parley.launcher.FreePorts;

/**
 * The four services and the environment each gets — the same variables compose.yml sets, with
 * local addresses instead of container names.
 */
public final class Topology {
    public record Ports(
            int userHttp,
            int userGrpc,
            int messageHttp,
            int messageGrpc,
            int notificationHttp,
            int notificationGrpc,
            int frontendHttp,
            int frontendGrpc) {
        /** The ports of SPEC §2. */
        public static Ports standard() {
            return new Ports(8080, 9797, 8081, 9798, 8082, 9799, 8083, 3030);
        }

        /** Any free ports (tests). */
        public static Ports free() {
            return new Ports(
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next(),
                    FreePorts.next());
        }
    }

    private Topology() {}

    /** The services that run as several instances with {@code PARLEY_INSTANCES}. */
    public static final Set<String> SCALED = Set.of("message-svc", "notification-svc", "frontend-svc");
    /** Instance k of a scaled service listens on its standard ports plus this times (k - 1). */
    public static final int INSTANCE_PORT_STEP = 100;

    /** Service name → environment, in start order (one instance of each). */
    public static Map<String, Map<String, String>> environments(IntFunction<String> redis, Ports p, String secret) {
        return environments(redis, p, secret, 1);
    }

    /**
     * Service name → environment of its first instance, in start order, where the peers' addresses
     * name all {@code instances} instances of a scaled service (a gRPC client spreads its calls).
     */
    public static Map<String, Map<String, String>> environments(
            IntFunction<String> redis, Ports p, String secret, int instances) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        all.put(
                "user-svc",
                Map.of(
                        "REDIS_URL",
                        redis.apply(0),
                        "HTTP_PORT",
                        str(p.userHttp()),
                        "GRPC_PORT",
                        str(p.userGrpc()),
                        "AUTH_SECRET",
                        secret));
        all.put(
                "message-svc",
                Map.of(
                        "REDIS_URL",
                        redis.apply(1),
                        "HTTP_PORT",
                        str(p.messageHttp()),
                        "GRPC_PORT",
                        str(p.messageGrpc()),
                        "AUTH_SECRET",
                        secret,
                        "USER_SVC_ADDR",
                        "127.0.0.1:" + p.userGrpc(),
                        "USERS_STREAM_URL",
                        redis.apply(0)));
        all.put(
                "notification-svc",
                Map.of(
                        "REDIS_URL",
                        redis.apply(2),
                        "HTTP_PORT",
                        str(p.notificationHttp()),
                        "GRPC_PORT",
                        str(p.notificationGrpc()),
                        "AUTH_SECRET",
                        secret,
                        "MESSAGES_STREAM_URL",
                        redis.apply(1),
                        "USERS_STREAM_URL",
                        redis.apply(0),
                        "FRONTEND_SVC_ADDR",
                        addresses(p.frontendGrpc(), instances),
                        "CONSUMER_NAME",
                        "notification-svc-local"));
        all.put(
                "frontend-svc",
                Map.of(
                        "REDIS_URL",
                        redis.apply(0),
                        "HTTP_PORT",
                        str(p.frontendHttp()),
                        "GRPC_PORT",
                        str(p.frontendGrpc()),
                        "AUTH_SECRET",
                        secret,
                        "USER_SVC_ADDR",
                        "127.0.0.1:" + p.userGrpc(),
                        "MESSAGE_SVC_ADDR",
                        addresses(p.messageGrpc(), instances),
                        "NOTIFICATION_SVC_ADDR",
                        addresses(p.notificationGrpc(), instances),
                        "USERS_STREAM_URL",
                        redis.apply(0)));
        return all;
    }

    /**
     * The environment of instance {@code k} (2 and up) of a scaled service, from the first's: its
     * ports moved up by {@link #INSTANCE_PORT_STEP} per instance, and a consumer name of its own.
     */
    public static Map<String, String> instance(Map<String, String> first, String service, int k) {
        Map<String, String> env = new LinkedHashMap<>(first);
        int step = INSTANCE_PORT_STEP * (k - 1);
        env.put("HTTP_PORT", str(Integer.parseInt(first.get("HTTP_PORT")) + step));
        env.put("GRPC_PORT", str(Integer.parseInt(first.get("GRPC_PORT")) + step));
        if (!service.equals("frontend-svc")) { // the two that join consumer groups
            env.put("CONSUMER_NAME", first.getOrDefault("CONSUMER_NAME", service + "-local") + "-" + k);
        }
        return env;
    }

    private static String addresses(int firstPort, int instances) {
        StringBuilder all = new StringBuilder();
        for (int k = 1; k <= instances; k++) {
            all.append(k > 1 ? "," : "").append("127.0.0.1:").append(firstPort + INSTANCE_PORT_STEP * (k - 1));
        }
        return all.toString();
    }

    public static int httpPort(Map<String, String> env) {
        return Integer.parseInt(env.get("HTTP_PORT"));
    }

    private static String str(int port) {
        return Integer.toString(port);
    }
}
