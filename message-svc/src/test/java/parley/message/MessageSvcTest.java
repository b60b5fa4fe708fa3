package parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.message.v1.GetMessagesRequest;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.message.v1.SendMessagesResult;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class MessageSvcTest {
    private static final String UNI = "uni@example.com";
    private static final String FC = "fc@example.com";
    private final TestRedis redis;
    private MessageSvcFixture svc;
    private StatefulRedisConnection<String, String> db;

    MessageSvcTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() {
        svc = new MessageSvcFixture(redis);
        db = redis.connect(1);
    }

    @AfterEach
    void stop() {
        db.close();
        svc.close();
    }

    private HttpJson.Reply send(String token, String to, String content) {
        return svc.http.post("/messages", obj("receiver_email", to, "content", content), token);
    }

    private List<Map<String, String>> events() {
        return db.sync().xrange("events:messages", Range.create("-", "+")).stream()
                .map(StreamMessage::getBody)
                .toList();
    }

    @Test
    void theSeed000DemoRunsAsWritten() {
        HttpJson users = svc.userHttp;
        // register uni, authenticate uni
        assertThat(users.post("/users", obj("name", "uni", "email", UNI, "password", "secret-pass"), null)
                        .status())
                .isEqualTo(201);
        HttpJson.Reply uniLogin = users.post("/login", obj("email", UNI, "password", "secret-pass"), null);
        assertThat(uniLogin.status()).isEqualTo(200);
        String uni = uniLogin.json().path("token").asText();
        // authentication of unregistered fc fails
        assertThat(users.post("/login", obj("email", FC, "password", "secret-pass"), null)
                        .status())
                .isEqualTo(401);
        // register fc
        String fc = svc.register(FC);
        // messages from uni and fc
        assertThat(send(uni, FC, "Mensaje 1 desde uni").status()).isEqualTo(201);
        assertThat(send(uni, FC, "Mensaje 2 desde uni").status()).isEqualTo(201);
        assertThat(send(fc, UNI, "Mensaje 3 desde fc").status()).isEqualTo(201);
        // a message from unregistered faua is refused as "user not registered"
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> svc.as(svc.tokens.issueUser("faua@example.com").token())
                        .sendMessage(SendMessageRequest.newBuilder()
                                .setSenderEmail("faua@example.com")
                                .setReceiverEmail(UNI)
                                .setContent("hola")
                                .build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(refused.getStatus().getDescription()).isEqualTo("user not registered: faua@example.com");
        HttpJson.Reply toFaua = send(uni, "faua@example.com", "hola");
        assertThat(toFaua.status()).isEqualTo(404);
        assertThat(toFaua.json().path("message").asText()).contains("user not registered: faua@example.com");
        // uni's messages read back
        HttpJson.Reply read = svc.http.get("/messages", uni);
        assertThat(read.json().path("messages").findValuesAsText("content"))
                .containsExactly("Mensaje 3 desde fc", "Mensaje 2 desde uni", "Mensaje 1 desde uni");
        assertThat(events()).hasSize(3);
    }

    @Test
    void aSentMessageIsStoredWithItsEventInTheSeedsKeys() {
        String uni = svc.register(UNI);
        svc.register(FC);
        HttpJson.Reply r = send(uni, FC, "hello");

        long id = r.json().path("id").asLong();
        assertThat(db.sync().get("message_id_counter")).isEqualTo(Long.toString(id));
        assertThat(db.sync().get("message:" + id))
                .contains("\"content\":\"hello\"")
                .contains("\"sender_email\":\"uni@example.com\"");
        assertThat(db.sync().hgetall("conversation:fc@example.com:uni@example.com"))
                .containsEntry("message_count", "1")
                .containsEntry("unread:fc@example.com", "1");
        assertThat(db.sync().zrange("user:uni@example.com:conversations", 0, -1))
                .containsExactly(FC);
        Map<String, String> e = events().get(0);
        assertThat(e)
                .containsEntry("type", "MessageSent")
                .containsEntry("message_id", Long.toString(id))
                .containsEntry("sender_email", UNI)
                .containsEntry("receiver_email", FC)
                .containsEntry("preview", "hello");
    }

    @Test
    void concurrentSendsNeverLeaveAMessageWithoutItsEventOrTheReverse() throws Exception {
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            String token = t % 2 == 0 ? uni : fc;
            String to = t % 2 == 0 ? FC : UNI;
            results.add(pool.submit(() -> {
                int ok = 0;
                for (int i = 0; i < 25; i++) {
                    ok += send(token, to, "burst " + i).status() == 201 ? 1 : 0;
                }
                return ok;
            }));
        }
        int sent = 0;
        for (Future<Integer> f : results) {
            sent += f.get();
        }
        pool.shutdown();

        assertThat(sent).isEqualTo(200);
        Set<String> eventIds = new HashSet<>();
        for (Map<String, String> e : events()) {
            eventIds.add(e.get("message_id"));
        }
        Set<String> stored = new HashSet<>();
        for (String key : db.sync().keys("message:*")) {
            stored.add(key.substring("message:".length()));
        }
        assertThat(eventIds).hasSize(200).isEqualTo(stored);
        assertThat(db.sync().get("message_id_counter")).isEqualTo("200");
    }

    @Test
    void conversationsShowTheOtherPartyLastMessageCountAndTheCallersUnread() {
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        String ana = svc.register("ana@example.com");
        send(uni, FC, "one");
        send(uni, FC, "two");
        send(uni, FC, "three");
        send(ana, FC, "from ana");

        HttpJson.Reply list = svc.http.get("/list_conversations", fc);
        var convs = list.json().path("conversations");
        assertThat(convs.findValuesAsText("with_email")).containsExactly("ana@example.com", UNI);
        assertThat(convs.get(1).path("unread_count").asLong()).isEqualTo(3);
        assertThat(convs.get(1).path("message_count").asLong()).isEqualTo(3);
        assertThat(convs.get(1).path("last_message").path("content").asText()).isEqualTo("three");
        assertThat(svc.http
                        .get("/list_conversations", uni)
                        .json()
                        .path("conversations")
                        .get(0)
                        .path("unread_count")
                        .asLong())
                .isZero();

        HttpJson.Reply marked = svc.http.post("/conversations/" + UNI + "/read", null, fc);
        assertThat(marked.json().path("marked").asLong()).isEqualTo(3);
        assertThat(svc.http
                        .get("/list_conversations", fc)
                        .json()
                        .path("conversations")
                        .get(1)
                        .path("unread_count")
                        .asLong())
                .isZero();
        assertThat(events().get(events().size() - 1))
                .containsEntry("type", "MessageRead")
                .containsEntry("reader_email", FC)
                .containsEntry("with_email", UNI);
        assertThat(svc.http
                        .post("/conversations/" + UNI + "/read", null, fc)
                        .json()
                        .path("marked")
                        .asLong())
                .isZero();
        assertThat(events()).hasSize(5);
    }

    @Test
    void messagesPageNewestFirstByBeforeId() {
        String uni = svc.register(UNI);
        svc.register(FC);
        for (int i = 1; i <= 5; i++) {
            send(uni, FC, "m" + i);
        }
        HttpJson.Reply first = svc.http.get("/messages?with=" + FC + "&page_size=2", uni);
        assertThat(first.json().path("messages").findValuesAsText("content")).containsExactly("m5", "m4");
        long next = first.json().path("next_before_id").asLong();
        HttpJson.Reply second = svc.http.get("/messages?with=" + FC + "&page_size=2&before=" + next, uni);
        assertThat(second.json().path("messages").findValuesAsText("content")).containsExactly("m3", "m2");
        HttpJson.Reply third = svc.http.get(
                "/messages?with=" + FC + "&page_size=2&before="
                        + second.json().path("next_before_id").asLong(),
                uni);
        assertThat(third.json().path("messages").findValuesAsText("content")).containsExactly("m1");
        assertThat(third.json().path("next_before_id").asLong()).isZero();
        assertThat(svc.http.get("/messages?page_size=101", uni).status()).isEqualTo(400);
        assertThat(svc.http.get("/messages?before=abc", uni).status()).isEqualTo(400);
    }

    @Test
    void onlyTheTokensOwnerSendsAsThemselvesAndReadsTheirOwn() {
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        send(uni, FC, "private");

        assertThat(svc.http
                        .post("/messages", obj("sender_email", FC, "receiver_email", UNI, "content", "forged"), uni)
                        .status())
                .isEqualTo(403);
        assertThat(svc.http.get("/messages", null).status()).isEqualTo(401);
        StatusRuntimeException denied = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> svc.as(fc)
                        .getMessages(GetMessagesRequest.newBuilder()
                                .setUserEmail(UNI)
                                .build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(svc.as(fc)
                        .getMessages(
                                GetMessagesRequest.newBuilder().setUserEmail(FC).build())
                        .getMessagesCount())
                .isEqualTo(1);
        assertThat(events()).hasSize(1);
    }

    @Test
    void onlyTheSenderDeletesAndTheConversationStaysRight() {
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        long first = send(uni, FC, "first").json().path("id").asLong();
        long second = send(uni, FC, "second").json().path("id").asLong();

        assertThat(svc.http.delete("/messages/" + second, fc).status()).isEqualTo(403);
        assertThat(svc.http.delete("/messages/" + second, uni).status()).isEqualTo(204);
        assertThat(svc.http.delete("/messages/" + second, uni).status()).isEqualTo(404);
        assertThat(svc.http.delete("/messages/abc", uni).status()).isEqualTo(400);

        var conv = svc.http
                .get("/list_conversations", fc)
                .json()
                .path("conversations")
                .get(0);
        assertThat(conv.path("message_count").asLong()).isEqualTo(1);
        assertThat(conv.path("unread_count").asLong()).isEqualTo(1);
        assertThat(conv.path("last_message").path("id").asLong()).isEqualTo(first);
        assertThat(events().get(events().size() - 1))
                .containsEntry("type", "MessageDeleted")
                .containsEntry("message_id", Long.toString(second));

        svc.http.delete("/messages/" + first, uni);
        assertThat(svc.http
                        .get("/list_conversations", fc)
                        .json()
                        .path("conversations")
                        .size())
                .isZero();
    }

    @Test
    void emptyOversizedOrInvalidContentIsRefusedAndNothingIsStored() {
        String uni = svc.register(UNI);
        svc.register(FC);

        assertThat(send(uni, FC, "").status()).isEqualTo(400);
        assertThat(send(uni, FC, "   ").status()).isEqualTo(400);
        HttpJson.Reply big = send(uni, FC, "é".repeat(2049));
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.json().path("message").asText()).contains("4098 bytes").contains("4096");
        assertThat(send(uni, FC, "ok".repeat(2048)).status()).isEqualTo(201);
        HttpJson.Reply lone = svc.http.post(
                "/messages", "{\"receiver_email\":\"fc@example.com\",\"content\":\"bad \\ud800 text\"}", uni);
        assertThat(lone.status()).isEqualTo(400);
        assertThat(lone.json().path("message").asText()).contains("not valid UTF-8");
        assertThat(send(uni, UNI, "self").status()).isEqualTo(400);
        assertThat(send(uni, "not-an-email", "x").status()).isEqualTo(400);
        assertThat(svc.http
                        .post("/messages", obj("receiver_email", FC, "content", "x", "priority", 1), uni)
                        .status())
                .isEqualTo(400);

        assertThat(events()).hasSize(1);
    }

    @Test
    void aDeletedUserCannotBeWrittenToEvenAfterBeingCached() {
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        assertThat(send(uni, FC, "cached now").status()).isEqualTo(201);

        assertThat(svc.userHttp
                        .send(
                                "DELETE",
                                "/users/" + FC,
                                parley.testkit.HttpJson.obj("current_password", "secret-pass"),
                                fc)
                        .status())
                .isEqualTo(204);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> send(uni, FC, "are you there?").status() == 404);
    }

    @Test
    void aNewAccountUnderADeletedEmailInheritsNothingAndThePartnerKeepsTheirCopy() {
        // issue 16, example 3: a new registrant of a deleted email inherited its conversations
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        long old = send(fc, UNI, "from the first fc").json().path("id").asLong();
        assertThat(svc.userHttp
                        .send(
                                "DELETE",
                                "/users/" + FC,
                                parley.testkit.HttpJson.obj("current_password", "secret-pass"),
                                fc)
                        .status())
                .isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> db.sync().exists("user:" + FC + ":left_at") == 1);

        String newFc = svc.register(FC);

        assertThat(svc.http.get("/messages", newFc).json().path("messages")).isEmpty();
        assertThat(svc.http.get("/messages?with=" + UNI, newFc).json().path("messages"))
                .isEmpty();
        assertThat(svc.http.get("/list_conversations", newFc).json().path("conversations"))
                .isEmpty();
        assertThat(svc.http.delete("/messages/" + old, newFc).status()).isEqualTo(404);
        assertThat(svc.http
                        .get("/messages?with=" + FC, uni)
                        .json()
                        .path("messages")
                        .findValuesAsText("content"))
                .containsExactly("from the first fc");
        assertThat(send(newFc, UNI, "hello again").status()).isEqualTo(201);
        assertThat(svc.http
                        .get("/messages?with=" + UNI, newFc)
                        .json()
                        .path("messages")
                        .findValuesAsText("content"))
                .containsExactly("hello again");
    }

    @Test
    void aDeletionMadeWhileMessageSvcWasDownIsHandledWhenItReturns() {
        // issue 16: message-svc forgot only the deletions it saw while running
        String uni = svc.register(UNI);
        String fc = svc.register(FC);
        assertThat(send(fc, UNI, "from the first fc").status()).isEqualTo(201);

        svc.restartMessages(() -> assertThat(svc.userHttp
                        .send(
                                "DELETE",
                                "/users/" + FC,
                                parley.testkit.HttpJson.obj("current_password", "secret-pass"),
                                fc)
                        .status())
                .isEqualTo(204));

        await().atMost(Duration.ofSeconds(10)).until(() -> db.sync().exists("user:" + FC + ":left_at") == 1);
        String newFc = svc.register(FC);
        assertThat(svc.http.get("/list_conversations", newFc).json().path("conversations"))
                .isEmpty();
        assertThat(svc.http.get("/messages", newFc).json().path("messages")).isEmpty();
        assertThat(svc.http
                        .get("/messages?with=" + FC, uni)
                        .json()
                        .path("messages")
                        .findValuesAsText("content"))
                .containsExactly("from the first fc");
    }

    @Test
    void readinessCoversRedisAndUserSvc() {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> svc.http.get("/ready", null).status() == 200);
        HttpJson.Reply ready = svc.http.get("/ready", null);
        assertThat(ready.json().path("checks").path("revocations").asText()).isEqualTo("up");
        assertThat(ready.json().path("checks").path("user-svc").asText()).isEqualTo("up");
    }

    @Test
    void aSendRetriedWithTheSameIdempotencyKeyStoresOnceAndAnswersTheSameMessage() {
        String uni = svc.register(UNI);
        svc.register(FC);
        Map<String, String> key = Map.of("Idempotency-Key", "order-42-attempt");
        String body = obj("receiver_email", FC, "content", "only once please");

        HttpJson.Reply first = svc.http.send("POST", "/messages", body, uni, key);
        HttpJson.Reply retry = svc.http.send("POST", "/messages", body, uni, key);
        var overGrpc = svc.as(uni)
                .sendMessage(SendMessageRequest.newBuilder()
                        .setSenderEmail(UNI)
                        .setReceiverEmail(FC)
                        .setContent("only once please")
                        .setIdempotencyKey("order-42-attempt")
                        .build());

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().path("id").asLong())
                .isEqualTo(first.json().path("id").asLong());
        assertThat(retry.json().path("timestamp").asText())
                .isEqualTo(first.json().path("timestamp").asText());
        assertThat(overGrpc.getId()).isEqualTo(first.json().path("id").asLong());
        assertThat(events()).hasSize(1);
        assertThat(db.sync().zcard("user:" + FC + ":messages")).isEqualTo(1);
        // another key, or none, is another message
        assertThat(svc.http
                        .send("POST", "/messages", body, uni, Map.of("Idempotency-Key", "order-43"))
                        .json()
                        .path("id")
                        .asLong())
                .isNotEqualTo(first.json().path("id").asLong());
        assertThat(events()).hasSize(2);
    }

    @Test
    void aBadIdempotencyKeyIsRefusedAndStoresNothing() {
        String uni = svc.register(UNI);
        svc.register(FC);
        HttpJson.Reply r = svc.http.send(
                "POST",
                "/messages",
                obj("receiver_email", FC, "content", "hi"),
                uni,
                Map.of("Idempotency-Key", "has spaces in it"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("message").asText()).contains("idempotency key");
        assertThat(events()).isEmpty();
    }

    @Test
    void sendMessagesAnswersEveryRequestOfABulkStreamWithItsIndexAndFailsOnlyTheBadOnes() throws Exception {
        String uni = svc.register(UNI);
        svc.register(FC);
        List<SendMessagesResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        var requests = MessageServiceGrpc.newStub(svc.channel)
                .withCallCredentials(PeerChannel.bearer(uni))
                .sendMessages(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(SendMessagesResult r) {
                        results.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        int n = 2500; // more than a stream may have unanswered: flow control holds the rest back
        for (int i = 1; i <= n; i++) {
            String to = i == 7 ? "faua@example.com" : FC;
            requests.onNext(SendMessageRequest.newBuilder()
                    .setSenderEmail(UNI)
                    .setReceiverEmail(to)
                    .setContent(i == 9 ? "" : "bulk " + i)
                    .build());
        }
        requests.onCompleted();

        assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(results).hasSize(n);
        assertThat(results.stream().map(SendMessagesResult::getIndex).sorted().toList())
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, n).boxed().toList());
        Map<Long, SendMessagesResult> byIndex = new java.util.HashMap<>();
        results.forEach(r -> byIndex.put(r.getIndex(), r));
        assertThat(byIndex.get(7L).getErrorCode()).isEqualTo("NOT_FOUND");
        assertThat(byIndex.get(7L).getErrorMessage()).contains("faua@example.com");
        assertThat(byIndex.get(9L).getErrorCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(byIndex.get(8L).getMessage().getContent()).isEqualTo("bulk 8");
        assertThat(results.stream()
                        .filter(r -> !r.getErrorCode().isEmpty())
                        .map(r -> r.getIndex() + " " + r.getErrorCode() + " " + r.getErrorMessage())
                        .toList())
                .hasSize(2);
        // stored in the order sent: ids grow with the position on the stream
        List<Long> ids = java.util.stream.LongStream.rangeClosed(1, n)
                .filter(i -> i != 7 && i != 9)
                .mapToObj(i -> byIndex.get(i).getMessage().getId())
                .toList();
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        long stored = db.sync().zcard("user:" + FC + ":messages");
        assertThat(stored).isEqualTo(n - 2);
    }

    @Test
    void afterRedisForgetsItsScriptsABurstOfSendsStillLandsEachExactlyOnce() throws Exception {
        String uni = svc.register(UNI);
        svc.register(FC);
        send(uni, FC, "warm the user cache");
        for (int round = 0; round < 5; round++) {
            db.sync().scriptFlush(); // as after a Redis restart: every send.lua comes back NOSCRIPT
            var stub = MessageServiceGrpc.newFutureStub(svc.channel).withCallCredentials(PeerChannel.bearer(uni));
            List<com.google.common.util.concurrent.ListenableFuture<parley.message.v1.Message>> sent =
                    new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sent.add(stub.sendMessage(SendMessageRequest.newBuilder()
                        .setSenderEmail(UNI)
                        .setReceiverEmail(FC)
                        .setContent("burst " + round + "/" + i)
                        .build()));
            }
            List<Long> ids = new ArrayList<>();
            for (var f : sent) {
                ids.add(f.get(20, java.util.concurrent.TimeUnit.SECONDS).getId());
            }
            assertThat(ids).doesNotHaveDuplicates();
        }
        assertThat(db.sync().zcard("user:" + FC + ":messages")).isEqualTo(1 + 5 * 500);
    }
}
