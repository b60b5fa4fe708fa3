package parley.message;

import java.time.Duration;
import parley.events.Streams;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.runtime.redis.StreamRetention;

/** message-svc's configuration, read once from the environment. */
public record MessageConfig(
        boolean redisCluster,
        String redisUrl,
        String usersStreamUrl,
        String userSvcAddr,
        int httpPort,
        int grpcPort,
        byte[] authSecret,
        int maxContentBytes,
        StreamRetention.Settings events,
        Duration userCheckDeadline,
        Duration userCacheTtl,
        Duration tokenTtl,
        String consumerName) {

    public static MessageConfig from(Env env) {
        return new MessageConfig(
                env.redisCluster(),
                env.redisUrl("REDIS_URL"),
                env.redisUrl("USERS_STREAM_URL"),
                env.hostPort("USER_SVC_ADDR"),
                env.port("HTTP_PORT", 8081),
                env.port("GRPC_PORT", 9798),
                env.secret("AUTH_SECRET"),
                env.positive("MAX_CONTENT_BYTES", 4096),
                StreamRetention.Settings.from(env, Streams.MESSAGES, 1_000_000),
                env.millis("USER_CHECK_DEADLINE_MS", Duration.ofSeconds(2)),
                env.seconds("USER_CACHE_SECONDS", Duration.ofSeconds(60), 0),
                env.seconds("TOKEN_TTL_SECONDS", TokenService.DEFAULT_USER_TTL),
                env.consumerName("message-svc"));
    }
}
