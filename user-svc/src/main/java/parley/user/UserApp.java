package parley.user;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import parley.events.Streams;
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
import parley.user.redis.UserKeys;

/** Composition root of user-svc: builds everything by plain constructors and starts it. */
public final class UserApp {
    private UserApp() {}

    public static ServiceHost start(UserConfig config) {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.registry("user-svc");
        TokenService tokens = new TokenService(config.authSecret(), config.tokenTtl(), clock);
        return ServiceHost.start("user-svc", tokens, registry, host -> {
            RedisConnections redis = host.owns(new RedisConnections(config.redisCluster()));
            RedisLink db = redis.connect(config.redisUrl());
            RedisLink trimming = redis.connect(config.redisUrl());
            for (StreamRetention.Settings each :
                    config.events().forEach(Streams.all(Streams.USERS, config.redisCluster()))) {
                host.owns(new StreamRetention(each, trimming, clock, registry).start());
            }
            Revocations revocations = host.owns(Revocations.follow(redis, config.redisUrl(), config.tokenTtl()));
            UserKeys keys = new UserKeys(config.redisCluster());
            UserAccounts accounts = new UserAccounts(
                    new RedisUserStore(db, keys, clock),
                    new PasswordHasher(config.bcryptCost()),
                    new RedisLoginLimiter(db.sync(), keys, config.loginMaxFailures(), config.loginWindow()),
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
