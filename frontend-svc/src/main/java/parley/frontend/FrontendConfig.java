package parley.frontend;

import java.time.Duration;
import parley.frontend.live.LiveHub;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;

/** frontend-svc's configuration, read once from the environment. */
public record FrontendConfig(
        boolean redisCluster,
        String redisUrl,
        String usersStreamUrl,
        String userSvcAddr,
        String messageSvcAddr,
        String notificationSvcAddr,
        int httpPort,
        int grpcPort,
        byte[] authSecret,
        Duration heartbeat,
        boolean secureCookie,
        LiveHub.Limits liveLimits,
        Duration tokenTtl) {

    public static FrontendConfig from(Env env) {
        return new FrontendConfig(
                env.redisCluster(),
                env.redisUrl("REDIS_URL"),
                // events:users, for token revocations; by default in the same Redis database as REDIS_URL
                env.optional("USERS_STREAM_URL").isPresent()
                        ? env.redisUrl("USERS_STREAM_URL")
                        : env.redisUrl("REDIS_URL"),
                env.hostPort("USER_SVC_ADDR"),
                env.hostPort("MESSAGE_SVC_ADDR"),
                env.hostPort("NOTIFICATION_SVC_ADDR"),
                env.port("HTTP_PORT", 8083),
                env.port("GRPC_PORT", 3030),
                env.secret("AUTH_SECRET"),
                env.millis("SSE_HEARTBEAT_MS", Duration.ofSeconds(15)),
                env.optional("COOKIE_SECURE").map(Boolean::parseBoolean).orElse(false),
                new LiveHub.Limits(
                        env.positive("LIVE_SESSIONS_PER_USER", 20), env.positive("LIVE_SESSIONS_PER_INSTANCE", 50_000)),
                env.seconds("TOKEN_TTL_SECONDS", TokenService.DEFAULT_USER_TTL));
    }
}
