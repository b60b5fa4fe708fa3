package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.frontend.live.LiveSession;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.PushBatch;
import parley.frontend.v1.PushResult;
import parley.frontend.v1.SubscribeRequest;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.Notification;
import parley.runtime.ServiceHost;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class LiveDeliveryTest {
    private static final String UNI = "uni@example.com";
    private static final String FC = "fc@example.com";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestRedis redis;
    private ParleyStack stack;
    private final List<AutoCloseable> closing = new ArrayList<>();

    LiveDeliveryTest(TestRedis redis) {
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

    private SseClient sse(String token, String lastId) throws Exception {
        SseClient c = new SseClient(stack.frontendHttp, token, lastId);
        closing.add(c);
        return c;
    }

    private static String idOf(SseClient.Event e) {
        return e.id();
    }

    private ManagedChannel frontendChannel() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", stack.frontendGrpc)
                .usePlaintext()
                .build();
        closing.add(channel::shutdownNow);
        return channel;
    }

    /** A gRPC Subscribe of the token's owner; what it receives collects in the list. */
    private List<Notification> subscribe(String token, String email) {
        List<Notification> got = new CopyOnWriteArrayList<>();
        FrontendServiceGrpc.newStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(token))
                .subscribe(SubscribeRequest.newBuilder().setEmail(email).build(), collect(got));
        return got;
    }

    /** notification-svc's push stream into this stack's frontend; answers collect in the list. */
    /** A push stream like notification-svc's; the answers to its batches collect in the list. */
    private StreamObserver<PushBatch> pushStream(List<PushResult> answered) {
        return pushStream(answered, new CopyOnWriteArrayList<>());
    }

    /** The same, with the delivery acks that frontend-svc sends back on it (results with seq 0). */
    private StreamObserver<PushBatch> pushStream(List<PushResult> answered, List<AckDeliveredRequest> acks) {
        return FrontendServiceGrpc.newStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(
                        stack.tokens.issueService("notification-svc").token()))
                .pushNotifications(new StreamObserver<PushResult>() {
                    @Override
                    public void onNext(PushResult result) {
                        acks.addAll(result.getAcksList());
                        if (result.getSeq() != 0) {
                            answered.add(result);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
    }

    /** Pushes one notification with this token on a new push stream; the code the stream fails with. */
    private io.grpc.Status.Code pushFailure(String token, Notification n) {
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        pushStreamAs(token, failed)
                .onNext(PushBatch.newBuilder().setSeq(1).addNotifications(n).build());
        await().atMost(WAIT).until(() -> failed.size() == 1);
        return io.grpc.Status.fromThrowable(failed.get(0)).getCode();
    }

    /** A push stream with this token; how it fails collects in the list. */
    private StreamObserver<PushBatch> pushStreamAs(String token, List<Throwable> failed) {
        return FrontendServiceGrpc.newStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(token))
                .pushNotifications(new StreamObserver<PushResult>() {
                    @Override
                    public void onNext(PushResult value) {}

                    @Override
                    public void onError(Throwable t) {
                        failed.add(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    /** Delivered and acknowledged: nothing of {@code email}'s stays pending. */
    private void awaitNothingPending(String email) {
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().zcard("notifications:" + email + ":pending") == 0);
        }
    }

    /** A counter of frontend-svc's /metrics. */
    private double metric(String name) throws Exception {
        String prefix = name + "{service=\"frontend-svc\"} ";
        return stack.web()
                .get("/metrics", null)
                .body()
                .lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from /metrics"));
    }

    private void awaitLiveConnections(int n) {
        await().atMost(WAIT)
                .until(() -> stack.web()
                        .get("/metrics", null)
                        .body()
                        .contains("parley_live_connections{service=\"frontend-svc\"} " + n + ".0"));
    }

    @Test
    void anSseSubscriberGetsANewMessagesNotificationLiveWithItsId() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        SseClient events = sse(fc, null);
        assertThat(events.status).isEqualTo(200);
        assertThat(events.next("heartbeat", WAIT))
                .as("a heartbeat the page can see")
                .isNotNull();

        stack.send(uni, FC, "hola fc");

        SseClient.Event e = events.next("notification", WAIT);
        assertThat(e).isNotNull();
        assertThat(e.data()).contains("\"sender_email\":\"uni@example.com\"").contains("\"preview\":\"hola fc\"");
        assertThat(e.data())
                .as("the fields and types of GET /list_notifications")
                .containsPattern("\"message_id\":\\d+[,}]")
                .doesNotContain("reset");
        assertThat(e.id()).matches("\\d+-\\d+");
        assertThat(events.raw).contains("retry: 3000");
        // delivered live, so acknowledged: nothing stays pending
        awaitNothingPending(FC);
        assertThat(metric("parley_acks_on_push_stream_total"))
                .as("the ack rode back on the push stream")
                .isPositive();
        assertThat(metric("parley_acks_calls_total"))
                .as("no AckDeliveredBatch call of its own")
                .isZero();
    }

    @Test
    void aPlainHttpClientThatAcceptsAnythingGetsTheEventStreamToo() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        SseClient curlLike = new SseClient(stack.frontendHttp, fc, null, "*/*");
        closing.add(curlLike);
        assertThat(curlLike.status).isEqualTo(200);
        assertThat(curlLike.next("heartbeat", WAIT)).isNotNull();

        stack.send(uni, FC, "seen by curl");

        assertThat(curlLike.next("notification", WAIT).data()).contains("\"preview\":\"seen by curl\"");
    }

    @Test
    void anSseRequestWithoutAValidTokenIsA401() throws Exception {
        stack = new ParleyStack(redis);
        assertThat(sse(null, null).status).isEqualTo(401);
        assertThat(sse("forged", null).status).isEqualTo(401);
        String fc = stack.register(FC);
        assertThat(sse(fc, "not-an-id").status).isEqualTo(400);
    }

    @Test
    void reconnectingWithTheLastIdGetsExactlyTheMissedOnesInOrderThenLiveOnes() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        SseClient first = sse(fc, null);
        first.next("heartbeat", WAIT);
        stack.send(uni, FC, "seen live");
        String lastSeen = idOf(first.next("notification", WAIT));
        first.close();
        awaitLiveConnections(0);

        stack.send(uni, FC, "missed 1");
        stack.send(uni, FC, "missed 2");
        stack.send(uni, FC, "missed 3");
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().llen("notifications:" + FC) == 4);
        }

        SseClient again = sse(fc, lastSeen);
        List<String> previews = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SseClient.Event e = again.next("notification", WAIT);
            assertThat(e).isNotNull();
            previews.add(e.data().replaceAll(".*\"preview\":\"([^\"]*)\".*", "$1"));
            ids.add(e.id());
        }
        assertThat(previews).containsExactly("missed 1", "missed 2", "missed 3");
        assertThat(ids).isSortedAccordingTo(parley.rules.NotificationIds.ORDER).doesNotContain(lastSeen);
        stack.send(uni, FC, "live again");
        assertThat(again.next("notification", WAIT).data()).contains("live again");
        assertThat(again.next("notification", Duration.ofMillis(700)))
                .as("no duplicate")
                .isNull();
    }

    @Test
    void pendingNotificationsAreReplayedToAClientWithoutACursor() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        stack.send(uni, FC, "while offline");
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().zcard("notifications:" + FC + ":pending") == 1);
        }

        SseClient events = sse(fc, null);

        assertThat(events.next("notification", WAIT).data()).contains("while offline");
        awaitNothingPending(FC);
    }

    @Test
    void aCursorPastAPendingNotificationStillGetsItAndEmitsNoIdBelowTheCursor() throws Exception {
        // issue 12, example 1: offline, one message, reconnect with Last-Event-ID = its id + 1
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        stack.send(uni, FC, "never shown");
        String id;
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().zcard("notifications:" + FC + ":pending") == 1);
            id = db.sync().zrange("notifications:" + FC + ":pending", 0, 0).get(0);
        }
        String past = id.substring(0, id.indexOf('-')) + "-" + (Long.parseLong(id.substring(id.indexOf('-') + 1)) + 1);

        SseClient events = sse(fc, past);

        SseClient.Event e = events.next("notification", WAIT);
        assertThat(e).isNotNull();
        assertThat(e.data()).contains("never shown");
        assertThat(e.id())
                .as("the emitted id never goes below the client's cursor")
                .isEqualTo(past);
        awaitNothingPending(FC);
    }

    @Test
    void aNotificationWhosePushWasLostReachesAUserWhoStaysConnected() throws Exception {
        // issue 12, example 3: created and pending, but its push never happened (a crash after XACK)
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        SseClient events = sse(fc, null);
        events.next("heartbeat", WAIT);
        awaitLiveConnections(1);
        try (var db = redis.connect(2)) {
            String json =
                    "{\"id\":\"1700000000000-0\",\"sender_email\":\"uni@example.com\",\"receiver_email\":\"fc@example.com\","
                            + "\"message_id\":1,\"preview\":\"lost push\",\"timestamp\":\"2023-11-14T22:13:20Z\",\"read\":false}";
            db.sync().rpush("notifications:" + FC, json);
            db.sync().zadd("notifications:" + FC + ":pending", 1700000000000d, "1700000000000-0");
        }
        assertThat(events.next("notification", Duration.ofSeconds(2)))
                .as("nothing pushed it")
                .isNull();

        // what frontend-svc does when a push stream from notification-svc opens or breaks
        try (var db = redis.connect(0)) {
            db.sync().publish(parley.frontend.live.LiveHub.RECONCILE_CHANNEL, "test");
        }

        SseClient.Event e = events.next("notification", WAIT);
        assertThat(e).isNotNull();
        assertThat(e.data()).contains("lost push");
        awaitNothingPending(FC);
        // nothing was pushed, so no push stream is open: the ack went in an AckDeliveredBatch call
        assertThat(metric("parley_acks_calls_total")).isPositive();
    }

    @Test
    void aUserMayHoldAtMostTwentyLiveConnectionsTheNextGetsA429() throws Exception {
        // issue 16, example 8: 5,000 /events with one token each triggered a replay
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        for (int i = 0; i < 20; i++) {
            sse(fc, null);
        }
        awaitLiveConnections(20);

        HttpJson.Reply refused = stack.web().send("GET", "/events", null, fc, Map.of("Accept", "text/event-stream"));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().path("message").asText()).contains("at most 20 live connections");
        assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
        String uni = stack.register(UNI);
        assertThat(sse(uni, null).status).as("another user is not affected").isEqualTo(200);
    }

    @Test
    void liveStreamsEndWhenTheirTokenExpires() throws Exception {
        // issue 16, example 6: SSE and Subscribe kept delivering after the token expired
        stack = new ParleyStack(redis);
        stack.register(FC);
        var shortLived = new parley.runtime.auth.TokenService(
                ParleyStack.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Duration.ofSeconds(2),
                java.time.Clock.systemUTC());
        String token = stack.token(shortLived, FC);
        SseClient events = sse(token, null);
        List<Throwable> ended = new CopyOnWriteArrayList<>();
        FrontendServiceGrpc.newStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(token))
                .subscribe(
                        SubscribeRequest.newBuilder().setEmail(FC).build(),
                        collect(new ArrayList<Notification>(), ended));

        SseClient.Event revoked = events.next("revoked", WAIT);
        assertThat(revoked).isNotNull();
        assertThat(revoked.data()).contains("expired");
        await().atMost(WAIT).until(() -> events.ended && !ended.isEmpty());
        assertThat(io.grpc.Status.fromThrowable(ended.get(0)).getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
        awaitLiveConnections(0);
    }

    @Test
    void aCursorOlderThanTheRetainedHistoryGetsAResetEvent() throws Exception {
        stack = new ParleyStack(redis, Map.of("NOTIFICATIONS_MAX_PER_USER", "2"));
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        SseClient first = sse(fc, null);
        stack.send(uni, FC, "one");
        String old = idOf(first.next("notification", WAIT));
        first.close();
        for (int i = 0; i < 3; i++) {
            stack.send(uni, FC, "more " + i);
        }
        try (var db = redis.connect(2)) {
            await().atMost(WAIT).until(() -> db.sync().exists("notifications:" + FC + ":horizon") == 1);
        }

        SseClient again = sse(fc, old);

        assertThat(again.next("reset", WAIT)).isNotNull();
    }

    @Test
    void aGrpcSubscriberGetsReplayThenLiveNotifications() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        stack.send(uni, FC, "before subscribing");
        List<Notification> got = subscribe(fc, FC);

        await().atMost(WAIT).until(() -> got.size() == 1);
        stack.send(uni, FC, "after subscribing");
        await().atMost(WAIT).until(() -> got.size() == 2);

        assertThat(got).extracting(Notification::getPreview).containsExactly("before subscribing", "after subscribing");
    }

    @Test
    void pushesOfOneUserReachTheirLiveStreamInTheOrderTheyWereSent() throws Exception {
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        List<Notification> got = subscribe(fc, FC);
        awaitLiveConnections(1);

        // as notification-svc does: one connection, calls issued one after another without waiting
        var pusher = FrontendServiceGrpc.newFutureStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(
                        stack.tokens.issueService("notification-svc").token()));
        // a connected channel (calls made while it connects are queued and may start in any order)
        pusher.receiveNotification(Notification.newBuilder()
                        .setId("1-0")
                        .setReceiverEmail(UNI)
                        .build())
                .get();
        List<String> sent = new ArrayList<>();
        List<com.google.common.util.concurrent.ListenableFuture<?>> replies = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            sent.add("1000" + i + "-0");
            replies.add(pusher.receiveNotification(Notification.newBuilder()
                    .setId("1000" + i + "-0")
                    .setReceiverEmail(FC)
                    .setSenderEmail(UNI)
                    .build()));
        }
        for (var r : replies) {
            r.get();
        }

        await().atMost(WAIT).until(() -> got.size() == sent.size());
        assertThat(got).extracting(Notification::getId).containsExactlyElementsOf(sent);
    }

    @Test
    void aGrpcSubscriberThatStopsReadingIsCutOffInsteadOfBufferingWithoutBound() throws Exception {
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        // a client that reads one message and then nothing, with a small HTTP/2 window
        ManagedChannel slow = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                        "127.0.0.1", stack.frontendGrpc)
                .usePlaintext()
                .flowControlWindow(16 * 1024)
                .build();
        closing.add(slow::shutdownNow);
        FrontendServiceGrpc.newStub(slow)
                .withCallCredentials(PeerChannel.bearer(fc))
                .subscribe(
                        SubscribeRequest.newBuilder().setEmail(FC).build(),
                        new io.grpc.stub.ClientResponseObserver<SubscribeRequest, Notification>() {
                            @Override
                            public void beforeStart(io.grpc.stub.ClientCallStreamObserver<SubscribeRequest> call) {
                                call.disableAutoRequestWithInitial(1);
                            }

                            @Override
                            public void onNext(Notification value) {}

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        });
        awaitLiveConnections(1);

        String padding = "x".repeat(100);
        int batches = (LiveSession.MAX_BACKLOG + 2000) / 1000;
        List<PushResult> answered = new CopyOnWriteArrayList<>();
        var push = pushStream(answered);
        for (int b = 0; b < batches; b++) {
            PushBatch.Builder batch = PushBatch.newBuilder().setSeq(b + 1);
            for (int i = 1; i <= 1000; i++) {
                batch.addNotifications(Notification.newBuilder()
                        .setId((b * 1000 + i) + "-0")
                        .setReceiverEmail(FC)
                        .setSenderEmail(UNI)
                        .setPreview(padding));
            }
            push.onNext(batch.build());
        }
        await().atMost(WAIT).until(() -> answered.size() == batches);

        awaitLiveConnections(0);
    }

    @Test
    void anSseNotificationIsWrittenAtOnceNotWhenTheNextHeartbeatFlushesTheConnection() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        String fc = stack.register(FC);
        // an instance whose heartbeat never comes during the test: nothing else may push bytes out
        ServiceHost quiet = stack.startFrontend(0, 0, Duration.ofMinutes(10));
        closing.add(quiet);
        SseClient events = new SseClient(quiet.httpPort(), fc, null);
        closing.add(events);
        assertThat(events.status).isEqualTo(200);
        await().atMost(WAIT).until(() -> String.join("", events.raw).contains("retry: 3000"));

        stack.send(uni, FC, "no heartbeat needed");

        SseClient.Event e = events.next("notification", WAIT);
        assertThat(e).as("written and flushed when it arrived").isNotNull();
        assertThat(e.data()).contains("no heartbeat needed");
    }

    @Test
    void aPushBatchReachesEachUsersLiveStreamsInOrderAndIsAnsweredPerNotification() throws Exception {
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        List<Notification> gotFc = subscribe(fc, FC);
        awaitLiveConnections(1);

        List<PushResult> answered = new CopyOnWriteArrayList<>();
        List<AckDeliveredRequest> acks = new CopyOnWriteArrayList<>();
        var push = pushStream(answered, acks);
        PushBatch.Builder batch = PushBatch.newBuilder().setSeq(7);
        for (int i = 1; i <= 300; i++) {
            // interleaved with a user nobody watches, whose pushes must come back delivered=false
            batch.addNotifications(Notification.newBuilder()
                    .setId(i + "-0")
                    .setReceiverEmail(FC)
                    .setSenderEmail(UNI)
                    .setPreview("n" + i));
            batch.addNotifications(Notification.newBuilder()
                    .setId(i + "-0")
                    .setReceiverEmail("nobody@example.com")
                    .setSenderEmail(UNI)
                    .setPreview("n" + i));
        }
        push.onNext(batch.build());

        await().atMost(WAIT).until(() -> answered.size() == 1 && gotFc.size() == 300);
        assertThat(answered.get(0).getSeq()).isEqualTo(7);
        assertThat(answered.get(0).getDeliveredList()).hasSize(600);
        for (int i = 0; i < 600; i++) {
            assertThat(answered.get(0).getDelivered(i))
                    .as("delivered of item " + i)
                    .isEqualTo(i % 2 == 0);
        }
        assertThat(gotFc.stream().map(Notification::getId).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 300)
                        .mapToObj(i -> i + "-0")
                        .toList());
        // what the live stream got is acknowledged back on the same push stream, each id once
        await().atMost(WAIT)
                .until(() ->
                        acks.stream().mapToInt(AckDeliveredRequest::getIdsCount).sum() == 300);
        assertThat(acks).allSatisfy(a -> assertThat(a.getEmail()).isEqualTo(FC));
        assertThat(acks.stream()
                        .flatMap(a -> a.getIdsList().stream())
                        .distinct()
                        .count())
                .isEqualTo(300);
    }

    @Test
    void aPushBatchWithABadReceiverEndsTheStreamWithInvalidArgument() throws Exception {
        stack = new ParleyStack(redis);
        Notification bad = Notification.newBuilder()
                .setId("1-0")
                .setReceiverEmail("not an email")
                .build();
        assertThat(pushFailure(stack.tokens.issueService("notification-svc").token(), bad))
                .isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void aUserTokenMayNotPush() throws Exception {
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        assertThat(pushFailure(
                        fc,
                        Notification.newBuilder()
                                .setId("1-0")
                                .setReceiverEmail(FC)
                                .build()))
                .isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aGrpcSubscriberMayOnlyWatchTheirOwnNotifications() throws Exception {
        stack = new ParleyStack(redis);
        String uni = stack.register(UNI);
        var it = FrontendServiceGrpc.newBlockingStub(frontendChannel())
                .withCallCredentials(PeerChannel.bearer(uni))
                .subscribe(SubscribeRequest.newBuilder().setEmail(FC).build());

        io.grpc.StatusRuntimeException e =
                org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, it::hasNext);
        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    }

    @Test
    void deliveredIsFalseWhenNobodyIsConnectedAndTrueAcrossInstances() throws Exception {
        stack = new ParleyStack(redis);
        String fc = stack.register(FC);
        ServiceHost second = stack.startFrontend(0, 0);
        closing.add(second);
        ManagedChannel toSecond = ManagedChannelBuilder.forAddress("127.0.0.1", second.grpcPort())
                .usePlaintext()
                .build();
        closing.add(toSecond::shutdownNow);
        var pushToSecond = FrontendServiceGrpc.newBlockingStub(toSecond)
                .withCallCredentials(PeerChannel.bearer(
                        stack.tokens.issueService("notification-svc").token()));
        Notification n = Notification.newBuilder()
                .setId("1-0")
                .setReceiverEmail(FC)
                .setSenderEmail(UNI)
                .setPreview("cross-instance")
                .build();

        assertThat(pushToSecond.receiveNotification(n).getDelivered()).isFalse();

        SseClient onFirst = sse(fc, null);
        onFirst.next("heartbeat", WAIT);
        assertThat(pushToSecond.receiveNotification(n).getDelivered()).isTrue();
        assertThat(onFirst.next("notification", WAIT).data()).contains("cross-instance");

        io.grpc.StatusRuntimeException userToken = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class,
                () -> FrontendServiceGrpc.newBlockingStub(toSecond)
                        .withCallCredentials(PeerChannel.bearer(fc))
                        .receiveNotification(n));
        assertThat(userToken.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    }

    @Test
    void theWebApiLogsInWithACookieAndServesThePage() {
        stack = new ParleyStack(redis);
        stack.register(FC);
        HttpJson web = stack.web();

        HttpJson.Reply login = web.post("/api/login", HttpJson.obj("email", FC, "password", "secret-pass"), null);
        assertThat(login.status()).isEqualTo(200);
        String cookie = login.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .contains("parley_session=")
                .containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
        assertThat(web.post("/api/login", HttpJson.obj("email", FC, "password", "wrong-password"), null)
                        .status())
                .isEqualTo(401);
        assertThat(web.get("/api/conversations", null).status()).isEqualTo(401);
        assertThat(web.get("/", null).body()).contains("<title>Parley</title>");
        // errors from the owning service keep their meaning through the page's API
        HttpJson.Reply dup =
                web.post("/api/register", HttpJson.obj("name", "x", "email", FC, "password", "secret-pass"), null);
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.error()).isEqualTo("ALREADY_EXISTS");
        String fc = stack.token(stack.tokens, FC);
        HttpJson.Reply nobody =
                web.post("/api/messages", HttpJson.obj("receiver_email", "faua@example.com", "content", "hola"), fc);
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.json().path("message").asText()).contains("user not registered: faua@example.com");
        assertThat(web.post("/api/messages", HttpJson.obj("receiver_email", UNI, "content", ""), fc)
                        .status())
                .isEqualTo(400);
        HttpJson.Reply ready = web.get("/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("checks").path("notification-svc").asText())
                .isEqualTo("up");
    }

    private static <T> StreamObserver<T> collect(List<T> into) {
        return collect(into, new ArrayList<>());
    }

    /** Collects what arrives, and the error the stream ends with. */
    private static <T> StreamObserver<T> collect(List<T> into, List<Throwable> errors) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                errors.add(t);
            }

            @Override
            public void onCompleted() {}
        };
    }
}
