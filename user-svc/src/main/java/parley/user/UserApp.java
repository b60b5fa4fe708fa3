package parley.user;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import parley.runtime.ServiceHost;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;
import parley.runtime.redis.StreamRetention;
import parley.user.domain.PasswordHasher;
import parley.user.domain.UserAccounts;
import parley.user.grpc.UserGrpcService;
import parley.user.http.UserRoutes;
import parley.user.redis.RedisLoginLimiter;
import parley.user.redis.RedisUserStore;

/** Composition root of user-svc: builds everything by plain constructors and starts it. */
public final class UserApp {
    private UserApp() {}

    public static ServiceHost start(UserConfig config) {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.registry("user-svc");
        TokenService tokens = new TokenService(config.authSecret(), config.tokenTtl(), clock);
        return ServiceHost.start("user-svc", tokens, registry, host -> {
            RedisConnections redis = host.owns(new RedisConnections());
            RedisLink db = redis.connect(config.redisUrl());
            host.owns(new StreamRetention(config.events(), redis.connect(config.redisUrl()), clock, registry).start());
            Revocations revocations = host.owns(Revocations.follow(redis, config.redisUrl(), config.tokenTtl()));
            UserAccounts accounts = new UserAccounts(
                    new RedisUserStore(db.sync(), clock),
                    new PasswordHasher(config.bcryptCost()),
                    new RedisLoginLimiter(db.sync(), config.loginMaxFailures(), config.loginWindow()),
                    tokens,
                    revocations,
                    clock);
            host.ports(config.httpPort(), config.grpcPort())
                    .grpc(UserGrpcService.ACCESS, new UserGrpcService(accounts))
                    .http(new UserRoutes(accounts, new HttpAuth(tokens))::register)
                    .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(db)))
                    .revocations(revocations);
        });
    }
}
