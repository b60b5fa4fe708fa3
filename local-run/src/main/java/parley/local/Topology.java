package parley.local;

import java.util.LinkedHashMap;
import java.util.Map;
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

    /** Service name → environment, in start order. */
    public static Map<String, Map<String, String>> environments(IntFunction<String> redis, Ports p, String secret) {
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
                        "127.0.0.1:" + p.frontendGrpc(),
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
                        "127.0.0.1:" + p.messageGrpc(),
                        "NOTIFICATION_SVC_ADDR",
                        "127.0.0.1:" + p.notificationGrpc(),
                        "USERS_STREAM_URL",
                        redis.apply(0)));
        return all;
    }

    public static int httpPort(Map<String, String> env) {
        return Integer.parseInt(env.get("HTTP_PORT"));
    }

    private static String str(int port) {
        return Integer.toString(port);
    }
}
