package parley.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import parley.runtime.config.Env;

/** The dedupe memory follows what the stream can hand out again (issue 12, example 5). */
class NotificationConfigTest {
    private static NotificationConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "REDIS_URL", "redis://localhost:6379/2",
                "MESSAGES_STREAM_URL", "redis://localhost:6379/1",
                "USERS_STREAM_URL", "redis://localhost:6379/0",
                "FRONTEND_SVC_ADDR", "localhost:3030",
                "AUTH_SECRET", "0123456789abcdef0123456789abcdef"));
        env.putAll(extra);
        return NotificationConfig.from(new Env(env));
    }

    @Test
    void dedupeMemoryIsTheStreamRetentionPlusTheReclaimWindow() {
        assertThat(config(Map.of()).dedupeFor()).isEqualTo(Duration.ofDays(1).plusHours(1));
        assertThat(config(Map.of("EVENTS_RETENTION_SECONDS", "600")).dedupeFor())
                .isEqualTo(Duration.ofSeconds(600 + 3600));
        assertThat(config(Map.of("NOTIFICATION_DEDUPE_SECONDS", "90")).dedupeFor())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void severalFrontendAddressesAreAccepted() {
        assertThat(config(Map.of("FRONTEND_SVC_ADDR", "a:3030,b:3030")).frontendSvcAddr())
                .isEqualTo("a:3030,b:3030");
    }
}
