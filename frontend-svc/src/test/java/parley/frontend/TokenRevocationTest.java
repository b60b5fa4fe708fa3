package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.SubscribeRequest;
import parley.message.v1.ListConversationsRequest;
import parley.message.v1.MessageServiceGrpc;
import parley.notification.v1.Notification;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

/**
 * Issue 16, example 2: a token outlived the deletion of its account (and then read the account of
 * the next registrant of the email) and a password change. Every service now refuses it within
 * seconds, live streams opened with it end, and a service started later still knows.
 */
@ExtendWith(RedisExtension.class)
class TokenRevocationTest {
    private static final String BOB = "bob@example.com";
    private static final String ANA = "ana@example.com";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestRedis redis;
    private ParleyStack stack;
    private final List<AutoCloseable> closing = new ArrayList<>();

    TokenRevocationTest(TestRedis redis) {
        this.redis = redis;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aDeletedAccountsTokensStopEverywhereAndItsLiveStreamsEnd() throws Exception {
        stack = new ParleyStack(redis);
        String ana = stack.register(ANA);
        String old = stack.register(BOB);
        assertThat(stack.send(ana, BOB, "hola bob").status()).isEqualTo(201);
        SseClient events = sse(old);
        List<Throwable> ended = subscribe(old, BOB);
        assertAccepted(old);

        HttpJson.Reply deleted = new HttpJson(stack.users.httpPort())
                .send("DELETE", "/users/" + BOB, HttpJson.obj("current_password", "secret-pass"), old);
        assertThat(deleted.status()).isEqualTo(204);

        // the live streams opened with it end at once
        SseClient.Event revoked = events.next("revoked", WAIT);
        assertThat(revoked).isNotNull();
        assertThat(revoked.data()).contains("revoked");
        await().atMost(WAIT).until(() -> !ended.isEmpty());
        assertThat(Status.fromThrowable(ended.get(0)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        // and every service refuses it, also once someone registers the email again
        String fresh = stack.register(BOB);
        await().atMost(WAIT).untilAsserted(() -> assertRefused(old));
        assertAccepted(fresh);
        // the new account sees nothing of the old one (the old token cannot look either)
        assertThat(new HttpJson(stack.messages.httpPort())
                        .get("/list_conversations", fresh)
                        .json()
                        .path("conversations"))
                .isEmpty();
    }

    @Test
    void aNewPasswordRevokesEarlierTokensAndAServiceStartedLaterKnows() throws Exception {
        stack = new ParleyStack(redis);
        String old = stack.register(BOB);
        String alsoOld = new HttpJson(stack.users.httpPort())
                .post("/login", HttpJson.obj("email", BOB, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();

        HttpJson.Reply changed = new HttpJson(stack.users.httpPort())
                .put("/users/" + BOB, HttpJson.obj("password", "another-pass", "current_password", "secret-pass"), old);
        assertThat(changed.status()).isEqualTo(200);

        // user-svc refuses the old tokens from its very next request; the others within seconds
        assertThat(new HttpJson(stack.users.httpPort())
                        .get("/users/" + BOB, old)
                        .status())
                .isEqualTo(401);
        await().atMost(WAIT).untilAsserted(() -> {
            assertRefused(old);
            assertRefused(alsoOld);
        });
        String fresh = new HttpJson(stack.users.httpPort())
                .post("/login", HttpJson.obj("email", BOB, "password", "another-pass"), null)
                .json()
                .path("token")
                .asText();
        assertAccepted(fresh);

        // a frontend-svc started after the change learns it from events:users before it is ready
        ServiceHost later = stack.startFrontend(0, 0);
        closing.add(later::close);
        await().atMost(WAIT)
                .until(() -> new HttpJson(later.httpPort()).get("/ready", null).status() == 200);
        assertThat(new HttpJson(later.httpPort()).get("/api/me", old).status()).isEqualTo(401);
        assertThat(new HttpJson(later.httpPort()).get("/api/me", fresh).status())
                .isEqualTo(200);
    }

    @Test
    void aNewNameRevokesNothing() throws Exception {
        stack = new ParleyStack(redis);
        String token = stack.register(BOB);
        assertThat(new HttpJson(stack.users.httpPort())
                        .put("/users/" + BOB, HttpJson.obj("name", "Roberto"), token)
                        .status())
                .isEqualTo(200);
        SseClient events = sse(token);
        assertThat(events.status).isEqualTo(200);
        assertAccepted(token);
    }

    private void assertRefused(String token) {
        HttpJson.Reply web = stack.web().get("/api/conversations", token);
        assertThat(web.status()).isEqualTo(401);
        assertThat(web.json().path("message").asText()).isEqualTo(TokenService.REVOKED);
        assertThat(new HttpJson(stack.users.httpPort())
                        .get("/users/" + BOB, token)
                        .status())
                .isEqualTo(401);
        assertThat(new HttpJson(stack.messages.httpPort())
                        .get("/list_conversations", token)
                        .status())
                .isEqualTo(401);
        assertThat(new HttpJson(stack.notifications.httpPort())
                        .get("/list_notifications", token)
                        .status())
                .isEqualTo(401);
        try {
            MessageServiceGrpc.newBlockingStub(channel(stack.messages.grpcPort()))
                    .withCallCredentials(PeerChannel.bearer(token))
                    .listConversations(ListConversationsRequest.newBuilder()
                            .setUserEmail(BOB)
                            .build());
            throw new AssertionError("message-svc accepted a revoked token");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        assertThat(stack.web().get("/events", token).status()).isEqualTo(401);
    }

    private void assertAccepted(String token) {
        assertThat(stack.web().get("/api/conversations", token).status()).isEqualTo(200);
        assertThat(new HttpJson(stack.users.httpPort())
                        .get("/users/" + BOB, token)
                        .status())
                .isEqualTo(200);
        assertThat(new HttpJson(stack.messages.httpPort())
                        .get("/list_conversations", token)
                        .status())
                .isEqualTo(200);
        assertThat(new HttpJson(stack.notifications.httpPort())
                        .get("/list_notifications", token)
                        .status())
                .isEqualTo(200);
    }

    private SseClient sse(String token) throws Exception {
        SseClient c = new SseClient(stack.frontendHttp, token, null);
        closing.add(c);
        return c;
    }

    private ManagedChannel channel(int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        closing.add(channel::shutdownNow);
        return channel;
    }

    private List<Throwable> subscribe(String token, String email) {
        List<Throwable> ended = new CopyOnWriteArrayList<>();
        FrontendServiceGrpc.newStub(channel(stack.frontendGrpc))
                .withCallCredentials(PeerChannel.bearer(token))
                .subscribe(SubscribeRequest.newBuilder().setEmail(email).build(), new StreamObserver<Notification>() {
                    @Override
                    public void onNext(Notification n) {}

                    @Override
                    public void onError(Throwable t) {
                        ended.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.add(Status.OK.asRuntimeException());
                    }
                });
        return ended;
    }
}
