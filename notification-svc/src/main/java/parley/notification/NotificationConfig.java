package parley.notification;

import java.time.Duration;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.runtime.redis.StreamRetention;

/** notification-svc's configuration, read once from the environment. */
public record NotificationConfig(
        boolean redisCluster,
        String redisUrl,
        String messagesStreamUrl,
        String usersStreamUrl,
        String frontendSvcAddr,
        int httpPort,
        int grpcPort,
        byte[] authSecret,
        String consumerName,
        int batchSize,
        Duration block,
        Duration claimIdle,
        Duration forgetIdle,
        Duration leaseTtl,
        int maxDeliveries,
        int maxPerUser,
        Duration dedupeFor,
        long deadLetterMaxLen,
        Duration pushDeadline,
        Duration pushGiveUp,
        int pushWindow,
        int pushBatchSize,
        Duration tokenTtl) {

    public static NotificationConfig from(Env env) {
        return new NotificationConfig(
                env.redisCluster(),
                env.redisUrl("REDIS_URL"),
                env.redisUrl("MESSAGES_STREAM_URL"),
                env.redisUrl("USERS_STREAM_URL"),
                env.hostPort("FRONTEND_SVC_ADDR"),
                env.port("HTTP_PORT", 8082),
                env.port("GRPC_PORT", 9799),
                env.secret("AUTH_SECRET"),
                env.consumerName("notification-svc"),
                env.positive("CONSUMER_BATCH_SIZE", 500),
                env.millis("CONSUMER_BLOCK_MS", Duration.ofSeconds(2)),
                env.millis("CONSUMER_CLAIM_IDLE_MS", Duration.ofSeconds(30)),
                env.millis("CONSUMER_FORGET_IDLE_MS", Duration.ofHours(1)),
                env.millis("CONSUMER_LEASE_MS", Duration.ofSeconds(6)),
                env.positive("CONSUMER_MAX_DELIVERIES", 5),
                env.positive("NOTIFICATIONS_MAX_PER_USER", 500),
                // an entry can be read again while the stream retains it: its retention, plus the time
                // a pending entry may wait to be reclaimed (with margin)
                env.seconds(
                        "NOTIFICATION_DEDUPE_SECONDS",
                        env.seconds("EVENTS_RETENTION_SECONDS", StreamRetention.DEFAULT_RETENTION)
                                .plusHours(1)),
                env.positive("DEAD_LETTER_MAXLEN", 10_000),
                env.millis("PUSH_DEADLINE_MS", Duration.ofSeconds(2)),
                env.millis("PUSH_GIVE_UP_MS", Duration.ofSeconds(60)),
                env.positive("PUSH_WINDOW", 10_000),
                env.positive("PUSH_BATCH_SIZE", 500),
                env.seconds("TOKEN_TTL_SECONDS", TokenService.DEFAULT_USER_TTL));
    }
}
