package parley.frontend;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import parley.launcher.FreePorts;
import parley.message.MessageApp;
import parley.message.MessageConfig;
import parley.notification.NotificationApp;
import parley.notification.NotificationConfig;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.testkit.HttpJson;
import parley.testkit.TestRedis;
import parley.user.UserApp;
import parley.user.UserConfig;

/** All four services, real, in this JVM, on free ports, against the test Redis. */
final class ParleyStack implements AutoCloseable {
    static final String SECRET = "test-secret-test-secret-test-secret!";
    final TokenService tokens = new TokenService(SECRET.getBytes(StandardCharsets.UTF_8));
    final TestRedis redis;
    private final BiFunction<String, Integer, String> url;
    final int frontendGrpc = FreePorts.next();
    final int frontendHttp = FreePorts.next();
    final int notificationGrpc = FreePorts.next();
    final ServiceHost users;
    final ServiceHost messages;
    final ServiceHost notifications;
    ServiceHost frontend;
    final Map<String, String> notificationEnv = new HashMap<>();

    ParleyStack(TestRedis redis, Map<String, String> notificationExtra) {
        this(redis, notificationExtra, (service, db) -> redis.url(db));
    }

    /** @param url the Redis URL a service uses for a database (e.g. with its own ACL user) */
    ParleyStack(TestRedis redis, Map<String, String> notificationExtra, BiFunction<String, Integer, String> url) {
        this.redis = redis;
        this.url = url;
        users = UserApp.start(UserConfig.from(env(Map.of("REDIS_URL", url.apply("user-svc", 0), "BCRYPT_COST", "4"))));
        messages = MessageApp.start(MessageConfig.from(env(Map.of(
                "REDIS_URL",
                url.apply("message-svc", 1),
                "USERS_STREAM_URL",
                url.apply("message-svc", 0),
                "USER_SVC_ADDR",
                "127.0.0.1:" + users.grpcPort()))));
        notificationEnv.putAll(Map.of(
                "REDIS_URL",
                url.apply("notification-svc", 2),
                "MESSAGES_STREAM_URL",
                url.apply("notification-svc", 1),
                "USERS_STREAM_URL",
                url.apply("notification-svc", 0),
                "FRONTEND_SVC_ADDR",
                "127.0.0.1:" + frontendGrpc,
                "GRPC_PORT",
                Integer.toString(notificationGrpc),
                "CONSUMER_NAME",
                "stack",
                "CONSUMER_BLOCK_MS",
                "200",
                "PUSH_GIVE_UP_MS",
                "30000"));
        notificationEnv.putAll(notificationExtra);
        notifications = NotificationApp.start(NotificationConfig.from(env(notificationEnv)));
        frontend = startFrontend(frontendHttp, frontendGrpc);
    }

    ParleyStack(TestRedis redis) {
        this(redis, Map.of());
    }

    /** A frontend-svc instance (there may be several) on the given ports (0 = any). */
    ServiceHost startFrontend(int httpPort, int grpcPort) {
        return startFrontend(httpPort, grpcPort, Duration.ofSeconds(1));
    }

    /** The same with a given SSE heartbeat interval. */
    ServiceHost startFrontend(int httpPort, int grpcPort, Duration heartbeat) {
        return FrontendApp.start(FrontendConfig.from(env(Map.of(
                "REDIS_URL", url.apply("frontend-svc", 0),
                "HTTP_PORT", Integer.toString(httpPort),
                "GRPC_PORT", Integer.toString(grpcPort),
                "USER_SVC_ADDR", "127.0.0.1:" + users.grpcPort(),
                "MESSAGE_SVC_ADDR", "127.0.0.1:" + messages.grpcPort(),
                "NOTIFICATION_SVC_ADDR", "127.0.0.1:" + notificationGrpc,
                "SSE_HEARTBEAT_MS", Long.toString(heartbeat.toMillis())))));
    }

    /** Stops frontend-svc and starts it again on the same ports (a server drop). */
    void restartFrontend(Runnable whileDown) {
        frontend.close();
        whileDown.run();
        frontend = startFrontend(frontendHttp, frontendGrpc);
    }

    HttpJson web() {
        return new HttpJson(frontendHttp);
    }

    /** A token like the one a login would give now (with the account's current token version). */
    String token(TokenService issuer, String email) {
        try (var c = redis.connect(0)) {
            String v = c.sync().get("token_version:" + email);
            return issuer.issueUser(email, v == null ? 0 : Long.parseLong(v)).token();
        }
    }

    /** Registers through the page's API and returns a token for Bearer use. */
    String register(String email) {
        web().post(
                        "/api/register",
                        HttpJson.obj(
                                "name",
                                email.substring(0, email.indexOf('@')),
                                "email",
                                email,
                                "password",
                                "secret-pass"),
                        null);
        return new HttpJson(users.httpPort())
                .post("/login", HttpJson.obj("email", email, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
    }

    HttpJson.Reply send(String token, String to, String content) {
        return web().post("/api/messages", HttpJson.obj("receiver_email", to, "content", content), token);
    }

    /** Sends through message-svc's own REST API (works while frontend-svc is down). */
    HttpJson.Reply sendDirect(String token, String to, String content) {
        return new HttpJson(messages.httpPort())
                .post("/messages", HttpJson.obj("receiver_email", to, "content", content), token);
    }

    private static Env env(Map<String, String> specific) {
        Map<String, String> all = new HashMap<>(Map.of("HTTP_PORT", "0", "GRPC_PORT", "0", "AUTH_SECRET", SECRET));
        all.putAll(specific);
        return new Env(all);
    }

    @Override
    public void close() {
        if (frontend != null) {
            frontend.close();
        }
        notifications.close();
        messages.close();
        users.close();
    }
}
