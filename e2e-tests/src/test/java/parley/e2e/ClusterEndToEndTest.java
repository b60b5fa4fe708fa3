package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.events.Streams;
import parley.launcher.RedisServerProcess;
import parley.testkit.HttpJson;
import parley.testkit.SseClient;
import parley.testkit.TestRedisCluster;

/**
 * The seed scenarios in cluster mode (SPEC §7.1): real processes on a real 3-master Redis Cluster,
 * two instances each of notification-svc and frontend-svc. Live delivery, replay of exactly the
 * missed notifications on another instance, exactly once across every shard, keys on every master.
 */
class ClusterEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final TestRedisCluster cluster = TestRedisCluster.shared();
    private ClusterStack stack;
    private final List<SseClient> streams = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster.flushAll();
        stack = new ClusterStack(cluster);
    }

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
        if (stack != null) {
            stack.close();
        }
    }

    private SseClient connect(int frontendHttp, String token, String lastId) throws Exception {
        SseClient c = new SseClient(frontendHttp, token, lastId);
        streams.add(c);
        return c;
    }

    private int frontend(int i) {
        return i % 2 == 0 ? stack.ports.frontendHttp() : stack.frontend2Http;
    }

    private HttpJson.Reply send(String token, String to, String content) {
        return stack.messages().post("/messages", obj("receiver_email", to, "content", content), token);
    }

    private static String preview(SseClient.Event e) {
        return e.data().replaceAll(".*\"preview\":\"([^\"]*)\".*", "$1");
    }

    private JsonNode notificationsOf(String token) {
        return stack.notifications()
                .get("/list_notifications?page_size=500", token)
                .json()
                .path("notifications");
    }

    /** Each of the two notification-svc instances holds the leases of 8 of the 16 shards. */
    private void awaitShardsSplitEvenly() {
        try (StatefulRedisClusterConnection<String, String> redis = cluster.connect()) {
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, Long> holders = new HashMap<>();
                for (String stream : Streams.all(Streams.MESSAGES, true)) {
                    String holder = redis.sync().get("lease:notification-svc:" + stream);
                    assertThat(holder).as("lease of %s", stream).isNotNull();
                    holders.merge(holder, 1L, Long::sum);
                }
                assertThat(holders).as("shards per instance").hasSize(2).containsValues(8L, 8L);
            });
        }
    }

    @Test
    void liveThenReplayOnTheOtherInstanceExactlyOnceOverEveryShardWithTwoInstancesEach() throws Exception {
        // both instances run and have split the shards (the first to start took all 16, then gave
        // 8 back): live order below is per shard reader, not across a handover
        awaitShardsSplitEvenly();
        int pairs = 8;
        int each = 10;
        List<String> senders = new ArrayList<>();
        List<String> receivers = new ArrayList<>();
        List<SseClient> live = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            senders.add(stack.register("sender" + i + "@example.com"));
            receivers.add(stack.register("receiver" + i + "@example.com"));
            live.add(connect(frontend(i), receivers.get(i), null));
        }
        Thread.sleep(500); // the sessions join their channels
        for (int k = 0; k < each; k++) {
            for (int i = 0; i < pairs; i++) {
                assertThat(send(senders.get(i), "receiver" + i + "@example.com", "m" + i + "-" + k)
                                .status())
                        .isEqualTo(201);
            }
        }
        SseClient.Event lastOfFirst = null;
        for (int i = 0; i < pairs; i++) {
            List<String> got = new ArrayList<>();
            for (int k = 0; k < each; k++) {
                SseClient.Event e = live.get(i).next("notification", WAIT);
                assertThat(e).as("receiver %d, notification %d", i, k).isNotNull();
                got.add(preview(e));
                if (i == 0 && (lastOfFirst == null || newer(e.id(), lastOfFirst.id()))) {
                    lastOfFirst = e; // the newest seen, whatever the order they came in
                }
            }
            List<String> expected = new ArrayList<>();
            for (int k = 0; k < each; k++) {
                expected.add("m" + i + "-" + k);
            }
            // each once and in send order: each shard is read by one of the two notification-svc
            // instances at a time (its lease), whichever frontend-svc holds the connection
            assertThat(got).as("receiver %d, live", i).containsExactlyElementsOf(expected);
            assertThat(live.get(i).next("notification", Duration.ofMillis(300))).isNull();
        }

        // receiver 0 goes away, misses three, and comes back on the other frontend instance
        live.get(0).close();
        for (int k = 0; k < 3; k++) {
            assertThat(send(senders.get(0), "receiver0@example.com", "missed " + k)
                            .status())
                    .isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> notificationsOf(receivers.get(0)).size() == each + 3);
        SseClient again = connect(frontend(1), receivers.get(0), lastOfFirst.id());
        List<String> replayed = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            replayed.add(preview(again.next("notification", WAIT)));
        }
        assertThat(replayed).containsExactly("missed 0", "missed 1", "missed 2");
        assertThat(again.next("notification", Duration.ofSeconds(1))).isNull();

        // exactly once in the store too, and every shard's group is done
        for (int i = 0; i < pairs; i++) {
            JsonNode all = notificationsOf(receivers.get(i));
            Set<Long> ids = new HashSet<>();
            all.forEach(n -> ids.add(n.path("message_id").asLong()));
            assertThat(ids).hasSize(all.size());
        }
        try (StatefulRedisClusterConnection<String, String> redis = cluster.connect()) {
            await().atMost(WAIT).untilAsserted(() -> {
                for (String stream : Streams.all(Streams.MESSAGES, true)) {
                    if (redis.sync().exists(stream) == 1) {
                        assertThat(redis.sync()
                                        .xpending(stream, "notification-svc")
                                        .getCount())
                                .as(stream)
                                .isZero();
                    }
                }
            });
        }
        // the two notification-svc instances still split the shards between them
        awaitShardsSplitEvenly();
        // every master holds keys
        for (RedisServerProcess node : cluster.cluster().nodes()) {
            String size = cluster.cluster()
                    .cli(List.of("-p", Integer.toString(node.port()), "dbsize"))
                    .output()
                    .strip();
            assertThat(Long.parseLong(size))
                    .as("keys on the master at %d", node.port())
                    .isPositive();
        }
    }

    @Test
    void slotsMovingToAnotherMasterDuringABurstLoseAndDoubleNothing() throws Exception {
        int pairs = 6;
        List<String> senders = new ArrayList<>();
        List<String> receivers = new ArrayList<>();
        List<SseClient> live = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            senders.add(stack.register("s" + i + "@example.com"));
            receivers.add(stack.register("r" + i + "@example.com"));
            live.add(connect(frontend(i), receivers.get(i), null));
        }
        Thread.sleep(500);
        // sends go on while a third of the slots (and the shards in them) move from one master to
        // another; a send that fails is retried with its Idempotency-Key, as a client would
        List<List<Long>> acked = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            acked.add(new java.util.concurrent.CopyOnWriteArrayList<>());
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<Void> burst = java.util.concurrent.CompletableFuture.runAsync(() -> {
            for (int k = 0; !stop.get(); k++) {
                for (int i = 0; i < pairs; i++) {
                    String key = "burst-" + i + "-" + k;
                    HttpJson.Reply r = null;
                    for (int attempt = 0; attempt < 100; attempt++) {
                        r = stack.messages()
                                .send(
                                        "POST",
                                        "/messages",
                                        obj("receiver_email", "r" + i + "@example.com", "content", key),
                                        senders.get(i),
                                        java.util.Map.of("Idempotency-Key", key));
                        if (r.status() == 201) {
                            break;
                        }
                        retries.incrementAndGet();
                        sleep(100);
                    }
                    assertThat(r.status()).as(r.body()).isEqualTo(201);
                    acked.get(i).add(r.json().path("id").asLong());
                }
            }
        });
        Thread.sleep(1000);
        var nodes = cluster.cluster().nodes();
        String from = cluster.cluster()
                .cli(List.of("-p", Integer.toString(nodes.get(0).port()), "cluster", "myid"))
                .output()
                .strip();
        String to = cluster.cluster()
                .cli(List.of("-p", Integer.toString(nodes.get(1).port()), "cluster", "myid"))
                .output()
                .strip();
        var reshard = cluster.cluster()
                .cli(List.of(
                        "--cluster",
                        "reshard",
                        "127.0.0.1:" + nodes.get(0).port(),
                        "--cluster-from",
                        from,
                        "--cluster-to",
                        to,
                        "--cluster-slots",
                        "3000",
                        "--cluster-yes"));
        Thread.sleep(1000);
        stop.set(true);
        burst.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(reshard.exit()).as(reshard.output()).isZero();
        assertThat(reshard.output()).contains("Moving slot");
        cluster.cluster().awaitOk();

        for (int i = 0; i < pairs; i++) {
            List<Long> got = new ArrayList<>();
            while (got.size() < acked.get(i).size()) {
                SseClient.Event e = live.get(i).next("notification", WAIT);
                assertThat(e)
                        .as(
                                "receiver %d after %d of %d",
                                i, got.size(), acked.get(i).size())
                        .isNotNull();
                got.add(Long.parseLong(e.data().replaceAll(".*\"message_id\":\"?(\\d+).*", "$1")));
            }
            // every acknowledged send once; a send whose entry was held up by the migration (or by
            // the other instance) may come after a later one
            assertThat(got)
                    .as("receiver %d: every acknowledged send once", i)
                    .containsExactlyInAnyOrderElementsOf(acked.get(i));
            assertThat(live.get(i).next("notification", Duration.ofMillis(500))).isNull();
            JsonNode stored = notificationsOf(receivers.get(i));
            Set<Long> ids = new HashSet<>();
            stored.forEach(n -> ids.add(n.path("message_id").asLong()));
            assertThat(ids).containsExactlyInAnyOrderElementsOf(acked.get(i));
            assertThat(stored.size()).isEqualTo(acked.get(i).size());
        }
        System.out.printf(
                "reshard during a burst: %d sends acknowledged, %d retried%n",
                acked.stream().mapToInt(List::size).sum(), retries.get());
    }

    /** Whether notification id {@code a} ({@code <ms>-<seq>}) comes after {@code b}. */
    private static boolean newer(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int ms = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return ms != 0 ? ms > 0 : Long.parseLong(x[1]) > Long.parseLong(y[1]);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
