package parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.events.Streams;
import parley.message.redis.MessageKeys;
import parley.runtime.ServiceHost;
import parley.runtime.config.Env;
import parley.testkit.HttpJson;
import parley.testkit.TestRedisCluster;
import parley.user.UserApp;
import parley.user.UserConfig;

/**
 * message-svc in cluster mode (SPEC §7.1) on a real 3-master Redis Cluster: a message, its
 * conversation and its event on the conversation's shard; the users' indexes on their own slots,
 * kept by the projector; ids that name their shard; read, delete and a deleted account's indexes.
 */
class MessageClusterTest {
    private static final String UNI = "uni@example.com";
    private static final String FC = "fc@example.com";
    private static final MessageKeys KEYS = new MessageKeys(true);
    private final TestRedisCluster cluster = TestRedisCluster.shared();
    private final List<ServiceHost> hosts = new ArrayList<>();
    private StatefulRedisClusterConnection<String, String> redis;
    private HttpJson users;
    private HttpJson messages;

    @BeforeEach
    void start() {
        cluster.flushAll();
        redis = cluster.connect();
        ServiceHost userSvc = UserApp.start(UserConfig.from(new Env(Map.of(
                "REDIS_CLUSTER", "true",
                "REDIS_URL", cluster.seeds(),
                "HTTP_PORT", "0",
                "GRPC_PORT", "0",
                "AUTH_SECRET", MessageSvcFixture.SECRET,
                "BCRYPT_COST", "4"))));
        hosts.add(userSvc);
        users = new HttpJson(userSvc.httpPort());
        ServiceHost messageSvc = MessageApp.start(MessageConfig.from(new Env(Map.of(
                "REDIS_CLUSTER",
                "true",
                "REDIS_URL",
                cluster.seeds(),
                "USERS_STREAM_URL",
                cluster.seeds(),
                "USER_SVC_ADDR",
                "127.0.0.1:" + userSvc.grpcPort(),
                "HTTP_PORT",
                "0",
                "GRPC_PORT",
                "0",
                "AUTH_SECRET",
                MessageSvcFixture.SECRET))));
        hosts.add(messageSvc);
        messages = new HttpJson(messageSvc.httpPort());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> messages.get("/ready", null).status() == 200);
    }

    @AfterEach
    void stop() {
        redis.close();
        hosts.reversed().forEach(ServiceHost::close);
    }

    private String register(String email) {
        users.post(
                "/users",
                obj("name", email.substring(0, email.indexOf('@')), "email", email, "password", "secret-pass"),
                null);
        return users.post("/login", obj("email", email, "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
    }

    private long send(String token, String to, String content) {
        HttpJson.Reply r = messages.post("/messages", obj("receiver_email", to, "content", content), token);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asLong();
    }

    @Test
    void aMessageLivesOnItsConversationsShardAndTheIndexesFollowOnTheUsersSlots() {
        String uni = register(UNI);
        String fc = register(FC);
        long first = send(uni, FC, "Hola fc!");
        long second = send(fc, UNI, "Hola uni");
        int shard = MessageKeys.shard(UNI, FC);
        assertThat(MessageKeys.shardOf(first)).isEqualTo(shard);
        assertThat(second).isGreaterThan(first);
        String message = KEYS.message(first);
        assertThat(SlotHash.getSlot(message))
                .isEqualTo(SlotHash.getSlot(KEYS.conversation(UNI, FC)))
                .isEqualTo(SlotHash.getSlot(Streams.shard(Streams.MESSAGES, shard)));
        assertThat(redis.sync().get(message)).contains("\"id\":" + first, "\"content\":\"Hola fc!\"");
        assertThat(redis.sync().xlen(Streams.shard(Streams.MESSAGES, shard))).isEqualTo(2);

        // the projector puts both in each party's indexes; the conversation's own listing is at once
        assertThat(messages.get("/messages?with=" + FC, uni).json().path("messages"))
                .hasSize(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(ids(messages.get("/messages", uni).json().path("messages")))
                    .containsExactly(second, first);
            assertThat(ids(messages.get("/messages", fc).json().path("messages")))
                    .containsExactly(second, first);
        });
        JsonNode conversations = messages.get("/list_conversations", fc).json().path("conversations");
        assertThat(conversations).hasSize(1);
        assertThat(conversations.get(0).toString()).contains(UNI, "\"unread_count\":1");

        assertThat(messages.post("/conversations/" + UNI + "/read", "{}", fc)
                        .json()
                        .path("marked")
                        .asLong())
                .isEqualTo(1);
        assertThat(messages.delete("/messages/" + second, fc).status()).isBetween(200, 204);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                ids(messages.get("/messages", uni).json().path("messages")))
                        .containsExactly(first));
        assertThat(messages.delete("/messages/" + first, uni).status()).isBetween(200, 204);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(messages.get("/messages", uni).json().path("messages")).isEmpty();
            assertThat(messages.get("/list_conversations", fc).json().path("conversations"))
                    .isEmpty();
        });
    }

    @Test
    void conversationsSpreadOverEveryMasterAndADeletedAccountsIndexesAreForgotten() {
        String uni = register(UNI);
        Set<String> masters = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            String other = "friend" + i + "@example.com";
            register(other);
            long id = send(uni, other, "hi " + i);
            masters.add(redis.getPartitions()
                    .getPartitionBySlot(SlotHash.getSlot(KEYS.message(id)))
                    .getNodeId());
        }
        assertThat(masters).as("masters holding conversations").hasSize(3);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> messages.get("/list_conversations?page_size=50", uni)
                                .json()
                                .path("conversations")
                                .size()
                        == 12);

        users.send("DELETE", "/users/" + UNI, obj("current_password", "secret-pass"), uni);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> redis.sync().exists(KEYS.messages(UNI), KEYS.conversations(UNI)) == 0
                        && redis.sync().get(KEYS.leftAt(UNI)) != null);
        // a new account under the email starts empty; the other parties keep their copies
        String again = register(UNI);
        assertThat(messages.get("/messages", again).json().path("messages")).isEmpty();
        assertThat(redis.sync().zcard(KEYS.messages("friend0@example.com"))).isEqualTo(1);
    }

    private static List<Long> ids(JsonNode list) {
        List<Long> ids = new ArrayList<>();
        list.forEach(m -> ids.add(m.path("id").asLong()));
        return ids;
    }
}
