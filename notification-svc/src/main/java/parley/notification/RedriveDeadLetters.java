package parley.notification;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import parley.events.Streams;
import parley.runtime.config.Env;
import parley.runtime.redis.DeadLetters;

/**
 * Operator tool: moves up to N dead letters of {@code events:messages} back onto the stream, where
 * the consumer group processes them again (each event's notification is still made once).
 * {@code MESSAGES_STREAM_URL=redis://localhost:6379/1 java -cp notification-svc.jar parley.notification.RedriveDeadLetters [N]}
 */
public final class RedriveDeadLetters {
    private RedriveDeadLetters() {}

    public static void main(String[] args) {
        String url = new Env(System.getenv()).redisUrl("MESSAGES_STREAM_URL");
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            int moved = DeadLetters.redrive(c.sync(), Streams.MESSAGES, max);
            System.out.println("re-drove " + moved + " dead letters onto " + Streams.MESSAGES);
        } finally {
            client.shutdown();
        }
    }
}
