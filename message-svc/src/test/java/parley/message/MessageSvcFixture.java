package parley.message;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import parley.message.v1.MessageServiceGrpc;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.TestRedis;
import parley.user.UserApp;
import parley.user.UserConfig;

/** A real user-svc and message-svc on free ports against the test Redis (DB 0 and 1). */
final class MessageSvcFixture implements AutoCloseable {
    static final String SECRET = "test-secret-test-secret-test-secret!";
    final ServiceHost users;
    ServiceHost messages;
    final HttpJson userHttp;
    HttpJson http;
    ManagedChannel channel;
    private final Map<String, String> env = new HashMap<>();
    final TokenService tokens = new TokenService(SECRET.getBytes(StandardCharsets.UTF_8));

    MessageSvcFixture(TestRedis redis) {
        this(redis, null);
    }

    /** @param userSvcAddr where message-svc looks for user-svc; null = the one started here */
    MessageSvcFixture(TestRedis redis, String userSvcAddr) {
        users = UserApp.start(UserConfig.from(new Env(Map.of(
                "REDIS_URL",
                redis.url(0),
                "HTTP_PORT",
                "0",
                "GRPC_PORT",
                "0",
                "AUTH_SECRET",
                SECRET,
                "BCRYPT_COST",
                "4"))));
        env.put("REDIS_URL", redis.url(1));
        env.put("USERS_STREAM_URL", redis.url(0));
        env.put("USER_SVC_ADDR", userSvcAddr == null ? "127.0.0.1:" + users.grpcPort() : userSvcAddr);
        env.put("HTTP_PORT", "0");
        env.put("GRPC_PORT", "0");
        env.put("AUTH_SECRET", SECRET);
        env.put("USER_CHECK_DEADLINE_MS", "1000");
        userHttp = new HttpJson(users.httpPort());
        startMessages();
    }

    private void startMessages() {
        messages = MessageApp.start(MessageConfig.from(new Env(env)));
        http = new HttpJson(messages.httpPort());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", messages.grpcPort())
                .usePlaintext()
                .build();
    }

    /** Stops message-svc, runs {@code whileDown}, and starts it again (on new ports). */
    void restartMessages(Runnable whileDown) {
        channel.shutdownNow();
        messages.close();
        whileDown.run();
        startMessages();
    }

    /** Registers a user through user-svc's REST API and logs in: returns the token. */
    String register(String email) {
        userHttp.post(
                "/users",
                HttpJson.obj("name", email.substring(0, email.indexOf('@')), "email", email, "password", "secret-pass"),
                null);
        return userHttp.post("/login", HttpJson.obj("email", email, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
    }

    MessageServiceGrpc.MessageServiceBlockingStub as(String token) {
        return MessageServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(token));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        messages.close();
        users.close();
    }
}
