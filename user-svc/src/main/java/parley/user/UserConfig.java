package parley.user;

import java.time.Duration;
import parley.events.Streams;
import parley.runtime.config.Env;
import parley.runtime.redis.StreamRetention;

/** user-svc's configuration, read once from the environment. */
public record UserConfig(
        boolean redisCluster,
        String redisUrl,
        int httpPort,
        int grpcPort,
        byte[] authSecret,
        int bcryptCost,
        StreamRetention.Settings events,
        int loginMaxFailures,
        Duration loginWindow,
        Duration tokenTtl) {

    public static UserConfig from(Env env) {
        return new UserConfig(
                env.redisCluster(),
                env.redisUrl("REDIS_URL"),
                env.port("HTTP_PORT", 8080),
                env.port("GRPC_PORT", 9797),
                env.secret("AUTH_SECRET"),
                env.integer("BCRYPT_COST", 12, 4, 31),
                StreamRetention.Settings.from(env, Streams.USERS, 100_000),
                env.positive("LOGIN_MAX_FAILURES", 5),
                env.seconds("LOGIN_WINDOW_SECONDS", Duration.ofMinutes(5)),
                env.seconds("TOKEN_TTL_SECONDS", Duration.ofHours(12)));
    }
}
