package parley.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.events.EventCodec;
import parley.events.MessageRead;
import parley.events.MessageSent;
import parley.events.UserDeleted;
import parley.launcher.FreePorts;
import parley.notification.v1.AckDeliveredRequest;
import parley.notification.v1.CreateNotificationRequest;
import parley.notification.v1.ListNotificationsRequest;
import parley.notification.v1.NotificationServiceGrpc;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.config.Env;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

@ExtendWith(RedisExtension.class)
class NotificationSvcTest {
    static final String SECRET = "test-secret-test-secret-test-secret!";
    static final String FC = "fc@example.com";
    static final String UNI = "uni@example.com";
    private final TestRedis redis;
    private final TokenService tokens = new TokenService(SECRET.getBytes(StandardCharsets.UTF_8));
    private FakeFrontend frontend;
    private ServiceHost svc;
    private HttpJson http;
    private ManagedChannel channel;
    private StatefulRedisConnection<String, String> messagesDb;
    private StatefulRedisConnection<String, String> db;

    NotificationSvcTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() throws Exception {
        frontend = new FakeFrontend(FreePorts.next()).start();
        messagesDb = redis.connect(1);
        db = redis.connect(2);
    }

    private void startService(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", redis.url(2));
        env.put("MESSAGES_STREAM_URL", redis.url(1));
        env.put("USERS_STREAM_URL", redis.url(0));
        env.put("FRONTEND_SVC_ADDR", "127.0.0.1:" + frontend.port);
        env.put("HTTP_PORT", "0");
        env.put("GRPC_PORT", "0");
        env.put("AUTH_SECRET", SECRET);
        env.put("CONSUMER_NAME", "test-1");
        env.put("CONSUMER_BLOCK_MS", "100");
        env.put("CONSUMER_CLAIM_IDLE_MS", "500");
        env.putAll(extra);
        svc = NotificationApp.start(NotificationConfig.from(new Env(env)));
        http = new HttpJson(svc.httpPort());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", svc.grpcPort())
                .usePlaintext()
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (svc != null) {
            svc.close();
        }
        frontend.close();
        messagesDb.close();
        db.close();
    }

    private String sent(String eventId, long messageId, String from, String to) {
        return messagesDb
                .sync()
                .xadd(
                        "events:messages",
                        EventCodec.encode(
                                new MessageSent(eventId, Instant.now(), messageId, from, to, "preview " + messageId)));
    }

    private String sent(long messageId) {
        return sent(EventCodec.newEventId(), messageId, UNI, FC);
    }

    private String token(String email) {
        return tokens.issueUser(email).token();
    }

    private List<String> listed(String email) {
        return http.get("/list_notifications", token(email))
                .json()
                .path("notifications")
                .findValuesAsText("id");
    }

    @Test
    void aMessageSentEventBecomesAPendingNotificationThatIsPushedToTheFrontend() {
        startService(Map.of());
        String entry = sent(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 1);
        assertThat(frontend.received.get(0).getId()).isEqualTo(entry);
        assertThat(frontend.received.get(0).getPreview()).isEqualTo("preview 1");
        assertThat(listed(FC)).containsExactly(entry);
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(entry);
        assertThat(db.sync().lindex("notifications:" + FC, 0))
                .contains("\"read\":false")
                .contains("\"message_id\":1");
        await().untilAsserted(() -> assertThat(messagesDb
                        .sync()
                        .xpending("events:messages", "notification-svc")
                        .getCount())
                .isZero());
    }

    @Test
    void anUnsubscribedReceiverGetsNothingButTheEventIsStillAcknowledged() {
        startService(Map.of());
        assertThat(http.delete("/subscriptions/" + FC, token(FC))
                        .json()
                        .path("subscribed")
                        .asBoolean())
                .isFalse();
        sent(1);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(messagesDb.sync().xinfoGroups("events:messages")).isNotEmpty();
            assertThat(messagesDb
                            .sync()
                            .xpending("events:messages", "notification-svc")
                            .getCount())
                    .isZero();
            assertThat(messagesDb.sync().xlen("events:messages")).isEqualTo(1);
        });
        assertThat(db.sync().exists("notifications:" + FC)).isZero();
        assertThat(frontend.received).isEmpty();
        assertThat(http.get("/subscriptions/" + FC, token(FC))
                        .json()
                        .path("subscribed")
                        .asBoolean())
                .isFalse();
        assertThat(http.put("/subscriptions/" + FC, null, token(FC))
                        .json()
                        .path("subscribed")
                        .asBoolean())
                .isTrue();
        assertThat(http.get("/subscriptions/" + FC, token(UNI)).status()).isEqualTo(403);
    }

    @Test
    void theSameEventTwiceMakesOneNotification() {
        startService(Map.of());
        String first = sent("event-42", 42, UNI, FC);
        sent("event-42", 42, UNI, FC);
        sent(43);

        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 2);
        await().untilAsserted(() -> assertThat(messagesDb
                        .sync()
                        .xpending("events:messages", "notification-svc")
                        .getCount())
                .isZero());
        assertThat(listed(FC)).hasSize(2).first().isEqualTo(first);
    }

    @Test
    void entriesLeftByACrashedConsumerAreFinishedWithNothingLostOrDoubled() throws Exception {
        for (int i = 1; i <= 10; i++) {
            sent(i);
        }
        // a consumer that read all ten, created notifications for the first three, then died before acking
        messagesDb
                .sync()
                .xgroupCreate(
                        io.lettuce.core.XReadArgs.StreamOffset.from("events:messages", "0-0"), "notification-svc");
        @SuppressWarnings("unchecked")
        var taken = messagesDb
                .sync()
                .xreadgroup(
                        io.lettuce.core.Consumer.from("notification-svc", "crashed"),
                        io.lettuce.core.XReadArgs.StreamOffset.lastConsumed("events:messages"));
        var half = notificationsOnTheTestRedis();
        for (int i = 0; i < 3; i++) {
            applyNow(half, taken.get(i).getId(), EventCodec.decode(taken.get(i).getBody()));
        }
        assertThat(messagesDb
                        .sync()
                        .xpending("events:messages", "notification-svc")
                        .getCount())
                .isEqualTo(10);

        startService(Map.of());

        await().atMost(Duration.ofSeconds(10))
                .until(() -> messagesDb
                                .sync()
                                .xpending("events:messages", "notification-svc")
                                .getCount()
                        == 0);
        List<String> ids = listed(FC);
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        assertThat(ids)
                .containsExactlyElementsOf(taken.stream().map(m -> m.getId()).toList());
    }

    @Test
    void whenTheFrontendIsDownThePushIsRetriedAndArrivesOnceItIsBack() throws Exception {
        frontend.stop();
        startService(Map.of("PUSH_GIVE_UP_MS", "20000"));
        String entry = sent(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 1);
        // nothing arrives while frontend-svc is down (it keeps being retried meanwhile)
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(frontend.received::isEmpty);

        frontend.start();

        await().atMost(Duration.ofSeconds(15)).until(() -> frontend.received.size() == 1);
        assertThat(frontend.received.get(0).getId()).isEqualTo(entry);
        assertThat(http.get("/metrics", null).body()).containsPattern("parley_push_retries_total\\{[^}]*\\} [1-9]");
    }

    @Test
    void aPushThatKeepsFailingIsGivenUpAndTheNotificationStaysPending() throws Exception {
        frontend.stop();
        startService(Map.of("PUSH_GIVE_UP_MS", "800"));
        String entry = sent(1);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/metrics", null)
                        .body()
                        .matches("(?s).*parley_push_total\\{[^}]*outcome=\"failed\"[^}]*\\} 1\\.0.*"));
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(entry);
    }

    @Test
    void whenThePushStreamBreaksWhatWasNotAnsweredIsSentAgain() throws Exception {
        frontend.answering = false;
        startService(Map.of("PUSH_DEADLINE_MS", "30000"));
        List<String> entries = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            entries.add(sent(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 5);

        frontend.stop(); // the stream breaks with five pushes unanswered
        frontend.received.clear();
        frontend.answering = true;
        frontend.start();

        await().atMost(Duration.ofSeconds(15)).until(() -> frontend.received.size() == 5);
        assertThat(frontend.received.stream()
                        .map(parley.notification.v1.Notification::getId)
                        .toList())
                .containsExactlyElementsOf(entries);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        http.get("/metrics", null).body().matches("(?s).*parley_push_resent_total\\{[^}]*\\} 5\\.0.*"));
    }

    @Test
    void aFullPushWindowStopsConsumptionInsteadOfBufferingAndItResumesOnceAnswered() throws Exception {
        frontend.answering = false;
        startService(Map.of("PUSH_DEADLINE_MS", "30000", "PUSH_WINDOW", "5", "CONSUMER_BATCH_SIZE", "5"));
        List<String> entries = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            entries.add(sent(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 5);
        // the consumer waits on the window: the rest stays in the stream, unread, not in the heap
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 5);
        assertThat(groupLag()).isGreaterThanOrEqualTo(25);

        frontend.stop(); // a new stream: the five are sent again and answered, then the rest flows
        frontend.received.clear();
        frontend.answering = true;
        frontend.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> frontend.received.size() >= 40 && groupLag() == 0);
        assertThat(frontend.received.stream()
                        .map(parley.notification.v1.Notification::getId)
                        .distinct()
                        .toList())
                .containsExactlyElementsOf(entries);
        assertThat(listed(FC)).hasSize(40);
    }

    @Test
    void onesUsersPushesArriveInTheOrderOfTheirEvents() throws Exception {
        startService(Map.of("CONSUMER_BATCH_SIZE", "37"));
        List<String> entries = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            entries.add(sent(i));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> frontend.received.size() == 500);
        assertThat(frontend.received.stream()
                        .map(parley.notification.v1.Notification::getId)
                        .toList())
                .containsExactlyElementsOf(entries);
    }

    private long groupLag() {
        for (Object group : messagesDb.sync().xinfoGroups("events:messages")) {
            List<?> fields = (List<?>) group;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("lag".equals(String.valueOf(fields.get(i))) && fields.get(i + 1) instanceof Number n) {
                    return n.longValue();
                }
            }
        }
        return -1;
    }

    @Test
    void pendingListsOfAnOlderVersionBecomeSortedSetsAndStillReplay() {
        String old = "1700000000000-0";
        String older = "1699999999999-3";
        db.sync().rpush("notifications:" + FC + ":pending", older, old);

        startService(Map.of());

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "zset".equals(db.sync().type("notifications:" + FC + ":pending")));
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(older, old);
        assertThat(db.sync().get("migrations:pending_sorted_sets")).isEqualTo("1");
        // and the service works on it: a new notification joins the converted set
        String entry = sent(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> db.sync().zcard("notifications:" + FC + ":pending") == 3);
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(older, old, entry);
    }

    @Test
    void deliveredFalseLeavesItPendingWithoutRetrying() throws Exception {
        frontend.online = false;
        startService(Map.of());
        String entry = sent(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 1);
        // not retried: still the one push
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 1);
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(entry);
    }

    @Test
    void aPoisonEntryIsDeadLetteredAndProcessingGoesOn() {
        startService(Map.of());
        messagesDb
                .sync()
                .xadd(
                        "events:messages",
                        Map.of("type", "MessageSent", "v", "1", "event_id", "x", "occurred_at", "not-a-time"));
        sent(2);

        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 1);
        await().untilAsserted(() ->
                assertThat(messagesDb.sync().xlen("events:messages:dead")).isEqualTo(1));
        var dead = messagesDb
                .sync()
                .xrange("events:messages:dead", io.lettuce.core.Range.create("-", "+"))
                .get(0)
                .getBody();
        assertThat(dead.get("dead_reason")).contains("occurred_at");
    }

    @Test
    void idsAreOrderedPerUserAndAfterReturnsOnlyNewerOnes() {
        startService(Map.of());
        for (int i = 1; i <= 5; i++) {
            sent(i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 5);
        List<String> ids = listed(FC);

        assertThat(ids).isSortedAccordingTo(parley.rules.NotificationIds.ORDER);
        HttpJson.Reply after = http.get("/list_notifications?after=" + ids.get(2), token(FC));
        assertThat(after.json().path("notifications").findValuesAsText("id")).containsExactly(ids.get(3), ids.get(4));
        assertThat(after.json().path("reset").asBoolean()).isFalse();
        assertThat(http.get("/list_notifications?after=yesterday", token(FC)).status())
                .isEqualTo(400);
    }

    /** The domain object on the test Redis (DB 2), with pushes that never reach anyone. */
    private parley.notification.domain.Notifications notificationsOnTheTestRedis() {
        var store = new parley.notification.redis.RedisNotificationStore(
                parley.runtime.redis.RedisLink.of(db),
                parley.runtime.redis.RedisLink.of(redis.connect(2)),
                new parley.notification.redis.NotificationKeys(false),
                500,
                Duration.ofDays(1));
        return new parley.notification.domain.Notifications(
                store, n -> java.util.concurrent.CompletableFuture.completedFuture(false), java.time.Clock.systemUTC());
    }

    @Test
    void aNotificationCreatedLateGetsAnIdAfterTheOnesBeforeItSoNoCursorSkipsIt() {
        // entry `early` failed once and is retried after entry `late` made its notification
        var notifications = notificationsOnTheTestRedis();
        long now = System.currentTimeMillis();
        String early = (now - 200) + "-0";
        String late = (now - 100) + "-0";
        applyNow(notifications, late, new MessageSent("e-late", Instant.now(), 2, UNI, FC, "second"));
        applyNow(notifications, early, new MessageSent("e-early", Instant.now(), 1, UNI, FC, "first, late"));
        applyNow(notifications, early, new MessageSent("e-early", Instant.now(), 1, UNI, FC, "first, late"));

        var all = notifications.list(FC, false, null, 100, false).notifications();
        assertThat(all)
                .extracting(parley.notification.domain.Notification::id)
                .containsExactly(late, (now - 100) + "-1");
        assertThat(notifications.list(FC, false, late, 100, false).notifications())
                .extracting(parley.notification.domain.Notification::preview)
                .containsExactly("first, late");
        // both are still pending (never shown), so a replay from `late` includes `late` itself too
        assertThat(notifications.list(FC, false, late, 100, true).notifications())
                .extracting(parley.notification.domain.Notification::preview)
                .containsExactly("second", "first, late");
    }

    @Test
    void oneBatchMakesEachReceiversNotificationsInOneRunUnderTheSameRules() {
        // create.lua takes all of a batch's notifications to one receiver at once: dedupe, the
        // next id for a late entry, trimming and the horizon must come out as one by one
        var store = new parley.notification.redis.RedisNotificationStore(
                parley.runtime.redis.RedisLink.of(db),
                parley.runtime.redis.RedisLink.of(redis.connect(2)),
                new parley.notification.redis.NotificationKeys(false),
                3,
                Duration.ofDays(1));
        var notifications = new parley.notification.domain.Notifications(
                store, n -> java.util.concurrent.CompletableFuture.completedFuture(false), java.time.Clock.systemUTC());
        long t = System.currentTimeMillis();
        String other = "other@example.com";
        List<java.util.concurrent.CompletionStage<Runnable>> batch = List.of(
                notifications.apply(t + "-0", new MessageSent("e1", Instant.now(), 1, UNI, FC, "one")),
                notifications.apply((t + 1) + "-0", new MessageSent("o1", Instant.now(), 2, UNI, other, "other")),
                notifications.apply((t + 2) + "-0", new MessageSent("e1", Instant.now(), 1, UNI, FC, "one")),
                notifications.apply((t - 5) + "-0", new MessageSent("e0", Instant.now(), 3, UNI, FC, "late")),
                notifications.apply((t + 3) + "-0", new MessageSent("e3", Instant.now(), 4, UNI, FC, "three")),
                notifications.apply((t + 4) + "-0", new MessageSent("e4", Instant.now(), 5, UNI, FC, "four")));
        notifications.endOfBatch();
        // every one is pushed: the repeat of e1 too, since it is still pending
        assertThat(batch)
                .allSatisfy(
                        done -> assertThat(done.toCompletableFuture().join()).isNotNull());

        assertThat(notifications.list(FC, false, null, 100, false).notifications())
                .extracting(
                        parley.notification.domain.Notification::id, parley.notification.domain.Notification::preview)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(t + "-1", "late"),
                        org.assertj.core.groups.Tuple.tuple((t + 3) + "-0", "three"),
                        org.assertj.core.groups.Tuple.tuple((t + 4) + "-0", "four"));
        assertThat(db.sync().get("notifications:" + FC + ":horizon")).isEqualTo(t + "-0");
        assertThat(store.pendingIds(FC)).containsExactly(t + "-1", (t + 3) + "-0", (t + 4) + "-0");
        assertThat(notifications.list(other, false, null, 100, false).notifications())
                .extracting(parley.notification.domain.Notification::id)
                .containsExactly((t + 1) + "-0");
        // the next batch sees what this one made: e3 again is a duplicate still pending (pushed
        // again); e0 again, once delivered, is a duplicate that is not
        assertThat(applyNow(notifications, (t + 9) + "-0", new MessageSent("e3", Instant.now(), 4, UNI, FC, "three")))
                .isNotNull();
        store.removePending(Map.of(FC, List.of(t + "-1"))).toCompletableFuture().join();
        assertThat(applyNow(notifications, (t + 9) + "-0", new MessageSent("e0", Instant.now(), 3, UNI, FC, "late")))
                .isNull();
        assertThat(notifications.list(FC, false, null, 100, false).notifications())
                .hasSize(3);
    }

    @Test
    void aReceiverWithMoreInOneBatchThanOneRunTakesIsCreatedRunAfterRunInOrder() {
        // 450 notifications to one receiver in one batch: three create.lua runs of at most 200
        var notifications = notificationsOnTheTestRedis();
        long t = System.currentTimeMillis();
        List<java.util.concurrent.CompletionStage<Runnable>> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 450; i++) {
            // the last one repeats the first event: the third run sees what the first made
            String event = i == 449 ? "e0" : "e" + i;
            batch.add(notifications.apply((t + i) + "-0", new MessageSent(event, Instant.now(), i, UNI, FC, "n" + i)));
        }
        notifications.endOfBatch();
        assertThat(batch)
                .allSatisfy(
                        done -> assertThat(done.toCompletableFuture().join()).isNotNull());

        var listed = notifications.list(FC, false, null, 500, false).notifications();
        assertThat(listed).hasSize(449);
        assertThat(listed)
                .extracting(parley.notification.domain.Notification::id)
                .isSortedAccordingTo(parley.rules.NotificationIds.ORDER)
                .startsWith(t + "-0")
                .endsWith((t + 448) + "-0");
    }

    @Test
    void anEventOlderThanTheDedupeMemoryIsAcknowledgedWithoutANotification() {
        startService(Map.of("NOTIFICATION_DEDUPE_SECONDS", "3600"));
        // re-read after XGROUP SETID 0: its dedupe key expired long ago, it may have been notified
        long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000;
        messagesDb
                .sync()
                .xadd(
                        "events:messages",
                        new io.lettuce.core.XAddArgs().id(twoHoursAgo + "-0"),
                        EventCodec.encode(new MessageSent("old-event", Instant.now(), 1, UNI, FC, "old")));
        String fresh = sent(2);

        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 1);
        await().untilAsserted(() -> assertThat(messagesDb
                        .sync()
                        .xpending("events:messages", "notification-svc")
                        .getCount())
                .isZero());
        assertThat(listed(FC)).containsExactly(fresh);
    }

    @Test
    void aCursorOlderThanTheRetainedHistoryGetsAReset() {
        startService(Map.of("NOTIFICATIONS_MAX_PER_USER", "3"));
        String first = sent(1);
        for (int i = 2; i <= 5; i++) {
            sent(i);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> db.sync().exists("notifications:" + FC + ":horizon") == 1
                        && listed(FC).size() == 3);

        HttpJson.Reply r = http.get("/list_notifications?after=" + first, token(FC));
        assertThat(r.json().path("reset").asBoolean()).isTrue();
        assertThat(r.json().path("notifications").size()).isEqualTo(3);
    }

    @Test
    void markingReadAndUnreadOnlyListing() {
        startService(Map.of());
        sent(1);
        sent(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 2);
        List<String> ids = listed(FC);

        assertThat(http.post("/notifications/read", obj("ids", List.of(ids.get(0))), token(FC))
                        .json()
                        .path("marked")
                        .asLong())
                .isEqualTo(1);
        HttpJson.Reply unread = http.get("/list_notifications?unread_only=true", token(FC));
        assertThat(unread.json().path("notifications").findValuesAsText("id")).containsExactly(ids.get(1));
        assertThat(unread.json().path("unread_count").asLong()).isEqualTo(1);
        assertThat(http.post("/notifications/read", obj("all", true), token(FC))
                        .json()
                        .path("marked")
                        .asLong())
                .isEqualTo(1);
        assertThat(http.post("/notifications/read", obj("ids", List.of()), token(FC))
                        .status())
                .isEqualTo(400);
        assertThat(http.get("/list_notifications", null).status()).isEqualTo(401);
    }

    @Test
    void aMessageReadEventMarksThatSendersNotificationsRead() {
        startService(Map.of());
        sent(1);
        sent(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 2);

        messagesDb
                .sync()
                .xadd(
                        "events:messages",
                        EventCodec.encode(new MessageRead(EventCodec.newEventId(), Instant.now(), FC, UNI, 2)));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> http.get("/list_notifications?unread_only=true", token(FC))
                        .json()
                        .path("notifications")
                        .isEmpty());
    }

    @Test
    void aDeletedUsersNotificationsAndSubscriptionGo() {
        startService(Map.of());
        sent(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 1);
        http.delete("/subscriptions/" + FC, token(FC));

        try (var usersDb = redis.connect(0)) {
            usersDb.sync()
                    .xadd(
                            "events:users",
                            EventCodec.encode(new UserDeleted(EventCodec.newEventId(), Instant.now(), FC)));
        }

        await().atMost(Duration.ofSeconds(5))
                .until(() -> db.sync().exists("notifications:" + FC, "notifications:" + FC + ":pending") == 0);
        assertThat(db.sync().hexists("subscriptions", FC)).isFalse();
    }

    @Test
    void ackDeliveredTakesAServiceTokenAndEmptiesPending() {
        startService(Map.of());
        String entry = sent(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> listed(FC).size() == 1);
        var asService = NotificationServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(
                        PeerChannel.bearer(tokens.issueService("frontend-svc").token()));
        var asUser =
                NotificationServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(token(FC)));
        AckDeliveredRequest ack =
                AckDeliveredRequest.newBuilder().setEmail(FC).addIds(entry).build();

        StatusRuntimeException denied = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class, () -> asUser.ackDelivered(ack));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(asService.ackDelivered(ack).getAcknowledged()).isEqualTo(1);
        assertThat(db.sync().zcard("notifications:" + FC + ":pending")).isZero();
        var pending = asUser.listNotifications(ListNotificationsRequest.newBuilder()
                .setEmail(FC)
                .setIncludePending(true)
                .build());
        assertThat(pending.getNotificationsList()).isEmpty();
    }

    @Test
    void aReplayHoldsEveryPendingOneWhateverTheCursorPagedByPageAfterId() {
        frontend.online = false;
        startService(Map.of());
        String first = sent(1);
        String second = sent(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> db.sync().zcard("notifications:" + FC + ":pending") == 2);
        var asUser =
                NotificationServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(token(FC)));
        var asService = NotificationServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(
                        PeerChannel.bearer(tokens.issueService("frontend-svc").token()));

        // a client may hold a cursor past a notification it never got (pushes arrive out of order):
        // pending ones are replayed whatever the cursor says
        var replay = asUser.listNotifications(ListNotificationsRequest.newBuilder()
                .setEmail(FC)
                .setAfterId(second)
                .setIncludePending(true)
                .build());
        assertThat(replay.getNotificationsList())
                .extracting(parley.notification.v1.Notification::getId)
                .containsExactly(first, second);
        var page1 = asUser.listNotifications(ListNotificationsRequest.newBuilder()
                .setEmail(FC)
                .setAfterId(second)
                .setIncludePending(true)
                .setPageSize(1)
                .build());
        assertThat(page1.getNotificationsList())
                .extracting(parley.notification.v1.Notification::getId)
                .containsExactly(first);
        var page2 = asUser.listNotifications(ListNotificationsRequest.newBuilder()
                .setEmail(FC)
                .setAfterId(second)
                .setIncludePending(true)
                .setPageSize(1)
                .setPageAfterId(first)
                .build());
        assertThat(page2.getNotificationsList())
                .extracting(parley.notification.v1.Notification::getId)
                .containsExactly(second);
        var noCursor = asUser.listNotifications(ListNotificationsRequest.newBuilder()
                .setEmail(FC)
                .setIncludePending(true)
                .build());
        assertThat(noCursor.getNotificationsList()).hasSize(2);

        assertThat(asService
                        .ackDelivered(AckDeliveredRequest.newBuilder()
                                .setEmail(FC)
                                .setUpToId(first)
                                .build())
                        .getAcknowledged())
                .isEqualTo(1);
        assertThat(db.sync().zrange("notifications:" + FC + ":pending", 0, -1)).containsExactly(second);
    }

    @Test
    void createNotificationStoresAndPushesWithTheReadFlag() {
        startService(Map.of());
        var asService = NotificationServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(
                        PeerChannel.bearer(tokens.issueService("message-svc").token()));

        var created = asService.createNotification(CreateNotificationRequest.newBuilder()
                .setReceiverEmail(FC)
                .setSenderEmail(UNI)
                .setMessageId(7)
                .setPreview("hi")
                .setRead(true)
                .build());

        assertThat(created.getRead()).isTrue();
        assertThat(created.getId()).matches("\\d+-\\d+");
        assertThat(listed(FC)).containsExactly(created.getId());
        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 1);
        StatusRuntimeException denied = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () -> NotificationServiceGrpc.newBlockingStub(channel)
                        .withCallCredentials(PeerChannel.bearer(token(UNI)))
                        .createNotification(CreateNotificationRequest.newBuilder()
                                .setReceiverEmail(FC)
                                .setSenderEmail(UNI)
                                .build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void metricsTellHowTheConsumerIsDoing() {
        startService(Map.of());
        sent(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> frontend.received.size() == 1);

        String metrics = http.get("/metrics", null).body();
        assertThat(metrics)
                .contains("parley_stream_consumed_total")
                .contains("parley_stream_lag")
                .contains("parley_stream_pending")
                .contains("parley_push_total")
                .contains("parley_stream_dead_lettered_total");
    }

    /** One event through the domain as the consumer does it: handed over, batch flushed, awaited. */
    private static Runnable applyNow(
            parley.notification.domain.Notifications n, String entryId, parley.events.DomainEvent event) {
        var done = n.apply(entryId, event);
        n.endOfBatch();
        return done.toCompletableFuture().join();
    }
}
