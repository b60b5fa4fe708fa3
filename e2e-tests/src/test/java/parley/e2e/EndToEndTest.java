package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

/** The seed scenarios against the four services running as separate processes. */
@ExtendWith(RedisExtension.class)
class EndToEndTest {
    private static final String A = "uni@example.com";
    private static final String B = "fc@example.com";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final TestRedis redis;
    private ProcessStack stack;
    private final List<SseClient> streams = new ArrayList<>();

    EndToEndTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() throws Exception {
        stack = new ProcessStack(redis);
    }

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
        if (stack != null) {
            stack.close();
        }
    }

    private SseClient connect(String token, String lastId) throws Exception {
        SseClient c = new SseClient(stack.ports.frontendHttp(), token, lastId);
        streams.add(c);
        return c;
    }

    private HttpJson.Reply send(String token, String to, String content) {
        return stack.messages().post("/messages", obj("receiver_email", to, "content", content), token);
    }

    private JsonNode notificationsOf(String token) {
        return stack.notifications()
                .get("/list_notifications?page_size=500", token)
                .json()
                .path("notifications");
    }

    @Test
    void seed000DemoAcrossRealProcesses() {
        HttpJson users = stack.users();
        assertThat(users.post("/users", obj("name", "uni", "email", A, "password", "secret-pass"), null)
                        .status())
                .isEqualTo(201);
        String uni = users.post("/login", obj("email", A, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
        assertThat(users.post("/login", obj("email", B, "password", "secret-pass"), null)
                        .status())
                .isEqualTo(401);
        String fc = stack.register(B);
        assertThat(send(uni, B, "Mensaje 1").status()).isEqualTo(201);
        assertThat(send(uni, B, "Mensaje 2").status()).isEqualTo(201);
        assertThat(send(fc, A, "Mensaje 3").status()).isEqualTo(201);
        HttpJson.Reply faua = send(uni, "faua@example.com", "hola");
        assertThat(faua.status()).isEqualTo(404);
        assertThat(faua.json().path("message").asText()).contains("user not registered");
        assertThat(stack.messages()
                        .get("/messages", uni)
                        .json()
                        .path("messages")
                        .findValuesAsText("content"))
                .containsExactly("Mensaje 3", "Mensaje 2", "Mensaje 1");
    }

    @Test
    void task2LiveThenOfflineThenExactlyTheMissedOnesOnReconnect() throws Exception {
        String a = stack.register(A);
        String b = stack.register(B);
        SseClient live = connect(b, null);
        send(a, B, "live one");
        SseClient.Event first = live.next("notification", WAIT);
        assertThat(first).isNotNull();
        assertThat(first.data()).contains("live one");
        live.close();

        send(a, B, "offline 1");
        send(a, B, "offline 2");
        send(a, B, "offline 3");
        await().atMost(WAIT).until(() -> notificationsOf(b).size() == 4);

        SseClient again = connect(b, first.id());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(again.next("notification", WAIT).data().replaceAll(".*\"preview\":\"([^\"]*)\".*", "$1"));
        }
        assertThat(got).containsExactly("offline 1", "offline 2", "offline 3");
        assertThat(again.next("notification", Duration.ofSeconds(1))).isNull();
    }

    @Test
    void notificationSvcKilledAndRestartedDuringABurstLosesAndDoublesNothing() throws Exception {
        String a = stack.register(A);
        String b = stack.register(B);
        int total = 40;
        for (int i = 1; i <= total; i++) {
            assertThat(send(a, B, "burst " + i).status()).isEqualTo(201);
            if (i == 10) {
                stack.get("notification-svc").kill();
            }
        }
        stack.restart("notification-svc");

        await().atMost(WAIT).until(() -> notificationsOf(b).size() >= total);
        Thread.sleep(1000);
        JsonNode all = notificationsOf(b);
        Set<Long> messageIds = new HashSet<>();
        all.forEach(n -> messageIds.add(n.path("message_id").asLong()));
        assertThat(all.size()).isEqualTo(total);
        assertThat(messageIds).hasSize(total);
        try (var db = redis.connect(1)) {
            assertThat(db.sync().xpending("events:messages", "notification-svc").getCount())
                    .isZero();
        }
    }

    @Test
    void frontendDownDuringSendsThenBackUpDeliversEverything() throws Exception {
        String a = stack.register(A);
        String b = stack.register(B);
        SseClient live = connect(b, null);
        send(a, B, "before");
        String lastId = live.next("notification", WAIT).id();
        live.close();

        stack.get("frontend-svc").kill();
        send(a, B, "while down 1");
        send(a, B, "while down 2");
        stack.restart("frontend-svc");

        SseClient back = connect(b, lastId);
        // "before" may come again: it was written, but frontend-svc was killed before its delivery ack
        // reached notification-svc, so it is still pending. A client skips an id it has seen.
        List<String> fresh = new ArrayList<>();
        while (fresh.size() < 2) {
            SseClient.Event e = back.next("notification", WAIT);
            assertThat(e).isNotNull();
            if (!e.data().contains("\"id\":\"" + lastId + "\"")) {
                fresh.add(e.data());
            }
        }
        assertThat(fresh.get(0)).contains("while down 1");
        assertThat(fresh.get(1)).contains("while down 2");
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().zcard("notifications:" + B + ":pending") == 0);
        }
    }
}
