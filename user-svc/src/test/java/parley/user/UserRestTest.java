package parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class UserRestTest {
    private final TestRedis redis;
    private UserSvcFixture svc;
    private HttpJson http;
    private StatefulRedisConnection<String, String> db;

    UserRestTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() {
        svc = new UserSvcFixture(redis);
        http = svc.http;
        db = redis.connect(0);
    }

    @AfterEach
    void stop() {
        db.close();
        svc.close();
    }

    private HttpJson.Reply register(String name, String email, String password) {
        return http.post("/users", obj("name", name, "email", email, "password", password), null);
    }

    private String login(String email, String password) {
        HttpJson.Reply r = http.post("/login", obj("email", email, "password", password), null);
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("token").asText();
    }

    @Test
    void registeringCreatesTheUserAndNeverReturnsThePassword() {
        HttpJson.Reply r = register("Uni", "Uni@Example.com", "secret-pass");

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("email").asText()).isEqualTo("uni@example.com");
        assertThat(r.json().path("name").asText()).isEqualTo("Uni");
        assertThat(r.body()).doesNotContain("secret-pass").doesNotContain("password");
    }

    @Test
    void theStoredHashIsBcryptAndNeverThePassword() {
        register("Uni", "uni@example.com", "secret-pass");
        String stored = db.sync().get("user:uni@example.com");

        assertThat(stored).contains("\"password\":\"$2a$").doesNotContain("secret-pass");
    }

    @Test
    void registeringAppendsUserRegisteredWithoutAnySecret() {
        register("Uni", "uni@example.com", "secret-pass");
        List<StreamMessage<String, String>> events = db.sync().xrange("events:users", Range.create("-", "+"));

        assertThat(events).hasSize(1);
        Map<String, String> e = events.get(0).getBody();
        assertThat(e)
                .containsEntry("type", "UserRegistered")
                .containsEntry("email", "uni@example.com")
                .containsEntry("name", "Uni")
                .containsEntry("v", "1");
        assertThat(e).containsKeys("event_id", "occurred_at");
        assertThat(e.toString()).doesNotContain("secret-pass").doesNotContain("$2a$");
    }

    @Test
    void aDuplicateEmailIsAConflictAndChangesNothing() {
        register("Uni", "uni@example.com", "secret-pass");
        HttpJson.Reply r = register("Other", "UNI@example.com", "another-pass");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).isEqualTo("ALREADY_EXISTS");
        assertThat(db.sync().xlen("events:users")).isEqualTo(1);
        assertThat(db.sync().get("user:uni@example.com")).contains("\"name\":\"Uni\"");
    }

    @Test
    void badInputIsA400WithACodeAndStoresNothing() {
        assertThat(register("Uni", "not-an-email", "secret-pass").status()).isEqualTo(400);
        assertThat(register("", "a@example.com", "secret-pass")
                        .json()
                        .path("message")
                        .asText())
                .contains("name is required");
        assertThat(register("Uni", "a@example.com", "").json().path("message").asText())
                .contains("password is required");
        assertThat(register("Uni", "a@example.com", "short")
                        .json()
                        .path("message")
                        .asText())
                .contains("8 to 72 bytes");
        HttpJson.Reply unknown = http.post(
                "/users", obj("name", "U", "email", "a@example.com", "password", "secret-pass", "admin", true), null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("message").asText()).contains("unknown field 'admin'");
        HttpJson.Reply malformed = http.post("/users", "{\"name\": ", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).isEqualTo("INVALID_ARGUMENT");
        assertThat(malformed.body()).doesNotContain("at com.").doesNotContain("Exception");
        assertThat(http.post("/users", "", null).status()).isEqualTo(400);
        HttpJson.Reply wrongType =
                http.post("/users", "{\"name\": 1, \"email\": \"a@example.com\", \"password\": \"secret-pass\"}", null);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().path("message").asText()).isEqualTo("field 'name' has the wrong type");
        HttpJson.Reply array = http.post("/users", "[1, 2]", null);
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.body()).doesNotContain("parley.").doesNotContain("$");

        assertThat(db.sync().dbsize()).isZero();
    }

    @Test
    void anOversizedBodyIsRefused() {
        String huge = "x".repeat(200_000);
        HttpJson.Reply r = register(huge, "a@example.com", "secret-pass");

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(r.json().path("message").asText()).isEqualTo("the body is larger than the limit of 64 KiB");
        assertThat(db.sync().dbsize()).isZero();
    }

    @Test
    void loginReturnsAnExpiringTokenThatTheServiceAccepts() {
        register("Uni", "uni@example.com", "secret-pass");
        HttpJson.Reply r = http.post("/login", obj("email", "uni@example.com", "password", "secret-pass"), null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("expires_at").asText()).isNotBlank();
        assertThat(http.get("/users/uni@example.com", r.json().path("token").asText())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aWrongPasswordAndAnUnknownUserLookTheSame() {
        register("Uni", "uni@example.com", "secret-pass");
        HttpJson.Reply wrong = http.post("/login", obj("email", "uni@example.com", "password", "nope-nope-nope"), null);
        HttpJson.Reply unknown =
                http.post("/login", obj("email", "fc@example.com", "password", "nope-nope-nope"), null);

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body());
    }

    @Test
    void repeatedFailedLoginsAreRateLimitedPerAccount() {
        register("Uni", "uni@example.com", "secret-pass");
        for (int i = 0; i < 5; i++) {
            http.post("/login", obj("email", "uni@example.com", "password", "wrong-password"), null);
        }
        HttpJson.Reply blocked = http.post("/login", obj("email", "uni@example.com", "password", "secret-pass"), null);

        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.error()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(Long.parseLong(
                        blocked.raw().headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 300L);
        assertThat(db.sync().pttl("login_failures:uni@example.com"))
                .as("the counter always expires")
                .isPositive();
        register("Fc", "fc@example.com", "secret-pass");
        assertThat(http.post("/login", obj("email", "fc@example.com", "password", "secret-pass"), null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void parallelWrongLoginsCannotAllSlipInBeforeTheLimitCounts() throws Exception {
        // issue 16, example 4: 200 concurrent wrong passwords all got 401, none 429
        register("Uni", "uni@example.com", "secret-pass");
        java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(20)) {
            for (int i = 0; i < 60; i++) {
                answers.add(pool.submit(
                        () -> http.post("/login", obj("email", "uni@example.com", "password", "wrong-password"), null)
                                .status()));
            }
        }
        long unauthorized = 0;
        long limited = 0;
        for (var a : answers) {
            int status = a.get();
            unauthorized += status == 401 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        assertThat(unauthorized).as("attempts that reached the password check").isEqualTo(5);
        assertThat(limited).isEqualTo(55);
    }

    @Test
    void aSuccessfulLoginResetsTheCount() {
        register("Uni", "uni@example.com", "secret-pass");
        for (int i = 0; i < 4; i++) {
            http.post("/login", obj("email", "uni@example.com", "password", "wrong-password"), null);
        }
        assertThat(http.post("/login", obj("email", "uni@example.com", "password", "secret-pass"), null)
                        .status())
                .isEqualTo(200);
        for (int i = 0; i < 4; i++) {
            assertThat(http.post("/login", obj("email", "uni@example.com", "password", "wrong-password"), null)
                            .status())
                    .isEqualTo(401);
        }
    }

    @Test
    void aPasswordOverBcryptsLimitIsA400AtRegistrationAndA401AtLogin() {
        // issue 16, example 5: over 72 bytes gave 500, for known and unknown users alike
        String long73 = "x".repeat(73);
        assertThat(register("Uni", "uni@example.com", long73).status()).isEqualTo(400);
        register("Uni", "uni@example.com", "secret-pass");
        assertThat(http.post("/login", obj("email", "uni@example.com", "password", long73), null)
                        .status())
                .isEqualTo(401);
        assertThat(http.post("/login", obj("email", "nobody@example.com", "password", long73), null)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void aNullOrDuplicateKeyBodyIsA400() {
        // issue 16, examples 5 and 10
        assertThat(http.post("/users", "null", null).status()).isEqualTo(400);
        assertThat(http.post("/login", "[]", null).status()).isEqualTo(400);
        HttpJson.Reply dup = http.post(
                "/users",
                "{\"name\":\"a\",\"email\":\"a@example.com\",\"email\":\"b@example.com\",\"password\":\"secret-pass\"}",
                null);
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.json().path("message").asText()).contains("Duplicate field 'email'");
        assertThat(db.sync().exists("user:a@example.com", "user:b@example.com")).isZero();
    }

    @Test
    void readingAnAccountNeedsATokenAndOnlyYourOwn() {
        register("Uni", "uni@example.com", "secret-pass");
        register("Fc", "fc@example.com", "secret-pass");
        String uni = login("uni@example.com", "secret-pass");

        assertThat(http.get("/users/uni@example.com", null).status()).isEqualTo(401);
        assertThat(http.get("/users/uni@example.com", "tampered." + uni).status())
                .isEqualTo(401);
        assertThat(http.get("/users/fc@example.com", uni).status()).isEqualTo(403);
        assertThat(http.get("/users/uni@example.com", uni).json().path("name").asText())
                .isEqualTo("Uni");
    }

    @Test
    void updatingYourOwnAccountChangesItAndAppendsUserUpdated() {
        register("Uni", "uni@example.com", "secret-pass");
        String uni = login("uni@example.com", "secret-pass");

        HttpJson.Reply r = http.put(
                "/users/uni@example.com",
                obj("name", "Universidad", "password", "new-secret-pass", "current_password", "secret-pass"),
                uni);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("Universidad");
        assertThat(http.post("/login", obj("email", "uni@example.com", "password", "new-secret-pass"), null)
                        .status())
                .isEqualTo(200);
        var last = db.sync()
                .xrevrange("events:users", Range.create("-", "+"), io.lettuce.core.Limit.from(1))
                .get(0)
                .getBody();
        assertThat(last).containsEntry("type", "UserUpdated").containsEntry("name", "Universidad");
    }

    @Test
    void aTokenAloneCannotChangeThePasswordOrDeleteTheAccount() {
        // issue 16, example 2: a stolen token changed the password without the current one
        register("Uni", "uni@example.com", "secret-pass");
        String uni = login("uni@example.com", "secret-pass");

        HttpJson.Reply noCurrent = http.put("/users/uni@example.com", obj("password", "taken-over-pass"), uni);
        HttpJson.Reply wrongCurrent = http.put(
                "/users/uni@example.com", obj("password", "taken-over-pass", "current_password", "a-guess-123"), uni);
        HttpJson.Reply deleteNoBody = http.delete("/users/uni@example.com", uni);
        HttpJson.Reply deleteWrong =
                http.send("DELETE", "/users/uni@example.com", obj("current_password", "a-guess-123"), uni);

        assertThat(noCurrent.status()).isEqualTo(400);
        assertThat(noCurrent.json().path("message").asText()).contains("current_password is required");
        assertThat(wrongCurrent.status()).isEqualTo(401);
        assertThat(deleteNoBody.status()).isEqualTo(400);
        assertThat(deleteWrong.status()).isEqualTo(401);
        assertThat(http.post("/login", obj("email", "uni@example.com", "password", "secret-pass"), null)
                        .status())
                .isEqualTo(200);
        assertThat(http.put("/users/uni@example.com", obj("name", "Only the name"), uni)
                        .status())
                .as("a name needs no password")
                .isEqualTo(200);
    }

    @Test
    void youCannotChangeOrDeleteSomeoneElse() {
        register("Uni", "uni@example.com", "secret-pass");
        register("Fc", "fc@example.com", "secret-pass");
        String uni = login("uni@example.com", "secret-pass");

        assertThat(http.put("/users/fc@example.com", obj("name", "Hacked"), uni).status())
                .isEqualTo(403);
        assertThat(http.send("DELETE", "/users/fc@example.com", obj("current_password", "secret-pass"), uni)
                        .status())
                .isEqualTo(403);
        assertThat(db.sync().get("user:fc@example.com")).contains("\"name\":\"Fc\"");
    }

    @Test
    void deletingYourOwnAccountRemovesItAndAppendsUserDeleted() {
        register("Uni", "uni@example.com", "secret-pass");
        String uni = login("uni@example.com", "secret-pass");

        assertThat(http.send("DELETE", "/users/uni@example.com", obj("current_password", "secret-pass"), uni)
                        .status())
                .isEqualTo(204);
        assertThat(db.sync().exists("user:uni@example.com")).isZero();
        assertThat(db.sync().zcard("users")).isZero();
        var last = db.sync()
                .xrevrange("events:users", Range.create("-", "+"), io.lettuce.core.Limit.from(1))
                .get(0)
                .getBody();
        assertThat(last).containsEntry("type", "UserDeleted").containsEntry("email", "uni@example.com");
    }

    @Test
    void listingPagesThroughUsersInEmailOrder() {
        for (String n : List.of("d", "a", "c", "b", "e")) {
            register(n, n + "@example.com", "secret-pass");
        }
        String token = login("a@example.com", "secret-pass");

        HttpJson.Reply first = http.get("/users?page_size=2", token);
        assertThat(first.json().path("users").findValuesAsText("email"))
                .containsExactly("a@example.com", "b@example.com");
        String next = first.json().path("next_page_token").asText();
        HttpJson.Reply second = http.get("/users?page_size=2&page_token=" + next, token);
        assertThat(second.json().path("users").findValuesAsText("email"))
                .containsExactly("c@example.com", "d@example.com");
        HttpJson.Reply last = http.get(
                "/users?page_size=2&page_token="
                        + second.json().path("next_page_token").asText(),
                token);
        assertThat(last.json().path("users").findValuesAsText("email")).containsExactly("e@example.com");
        assertThat(last.json().path("next_page_token").asText()).isEmpty();
        assertThat(http.get("/users?page_size=0", token).status()).isEqualTo(200);
        assertThat(http.get("/users?page_size=500", token).status()).isEqualTo(400);
        assertThat(http.get("/users", null).status()).isEqualTo(401);
    }

    @Test
    void healthReadinessAndMetricsAnswer() {
        assertThat(http.get("/health", null).json().path("status").asText()).isEqualTo("alive");
        // ready once it has read back the token revocations of events:users
        await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> http.get("/ready", null).status() == 200);
        HttpJson.Reply ready = http.get("/ready", null);
        assertThat(ready.json().path("checks").path("revocations").asText()).isEqualTo("up");
        assertThat(ready.json().path("checks").path("redis").asText()).isEqualTo("up");
        http.get("/users/x@example.com", null);
        assertThat(http.get("/metrics", null).body())
                .contains("http_server_requests_seconds_count")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aWrongMethodOnAKnownRouteIsA405() {
        HttpJson.Reply r = http.send("PATCH", "/users/x@example.com", null, null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.error()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void anUnknownRouteIsAJson404() {
        HttpJson.Reply r = http.get("/nope", null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).isEqualTo("NOT_FOUND");
    }
}
