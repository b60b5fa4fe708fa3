package parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static parley.testkit.HttpJson.obj;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.launcher.FreePorts;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class UserSvcDownTest {

    @Test
    void sendingWhileUserSvcIsDownIsAQuick503AndStoresNothing(TestRedis redis) throws Exception {
        int closedPort = FreePorts.next();
        try (MessageSvcFixture svc = new MessageSvcFixture(redis, "127.0.0.1:" + closedPort);
                var db = redis.connect(1)) {
            String uni = svc.register("uni@example.com");
            long started = System.nanoTime();
            HttpJson.Reply r =
                    svc.http.post("/messages", obj("receiver_email", "fc@example.com", "content", "hi"), uni);
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(r.status()).isEqualTo(503);
            assertThat(r.error()).isEqualTo("UNAVAILABLE");
            assertThat(r.json().path("message").asText()).contains("user-svc is unavailable");
            assertThat(tookMs).as("answers instead of hanging").isLessThan(10_000);
            assertThat(db.sync().dbsize()).isZero();
            assertThat(svc.http.get("/ready", null).status()).isEqualTo(503);
        }
    }
}
