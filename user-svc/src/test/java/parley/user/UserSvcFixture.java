package parley.user;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.TestRedis;
import parley.user.v1.UserServiceGrpc;

/** A real user-svc on free ports against the test Redis. */
final class UserSvcFixture implements AutoCloseable {
    static final String SECRET = "test-secret-test-secret-test-secret!";
    final ServiceHost host;
    final HttpJson http;
    final ManagedChannel channel;
    final TokenService tokens = new TokenService(SECRET.getBytes(StandardCharsets.UTF_8));

    private final TestRedis redis;

    UserSvcFixture(TestRedis redis) {
        this.redis = redis;
        host = UserApp.start(UserConfig.from(new Env(Map.of(
                "REDIS_URL", redis.url(0),
                "HTTP_PORT", "0",
                "GRPC_PORT", "0",
                "AUTH_SECRET", SECRET,
                "BCRYPT_COST", "4"))));
        http = new HttpJson(host.httpPort());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", host.grpcPort())
                .usePlaintext()
                .build();
    }

    UserServiceGrpc.UserServiceBlockingStub anonymous() {
        return UserServiceGrpc.newBlockingStub(channel);
    }

    UserServiceGrpc.UserServiceBlockingStub as(String token) {
        return UserServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(token));
    }

    /** A token like the one a login would give now (with the account's current token version). */
    String userToken(String email) {
        return tokens.issueUser(email, tokenVersion(email)).token();
    }

    long tokenVersion(String email) {
        try (var c = redis.connect(0)) {
            String v = c.sync().get("token_version:" + email);
            return v == null ? 0 : Long.parseLong(v);
        }
    }

    String serviceToken() {
        return tokens.issueService("message-svc").token();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        host.close();
    }
}
