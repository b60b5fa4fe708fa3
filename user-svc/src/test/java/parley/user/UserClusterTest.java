package parley.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
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
import parley.runtime.ServiceHost;
import parley.runtime.config.Env;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.TestRedisCluster;
import parley.user.v1.ListUsersRequest;
import parley.user.v1.User;
import parley.user.v1.UserServiceGrpc;

/**
 * user-svc in cluster mode (SPEC §7.1) on a real 3-master Redis Cluster, two instances: accounts
 * and their events on the email's shard, listing merged over the shards, and revocations learned
 * from the sharded {@code events:users} by the other instance.
 */
class UserClusterTest {
    private final TestRedisCluster cluster = TestRedisCluster.shared();
    private final List<ServiceHost> hosts = new ArrayList<>();
    private StatefulRedisClusterConnection<String, String> redis;

    @BeforeEach
    void start() {
        cluster.flushAll();
        redis = cluster.connect();
    }

    @AfterEach
    void stop() {
        redis.close();
        hosts.forEach(ServiceHost::close);
    }

    private ServiceHost instance() {
        ServiceHost host = UserApp.start(UserConfig.from(new Env(Map.of(
                "REDIS_CLUSTER", "true",
                "REDIS_URL", cluster.seeds(),
                "HTTP_PORT", "0",
                "GRPC_PORT", "0",
                "AUTH_SECRET", UserSvcFixture.SECRET,
                "BCRYPT_COST", "4"))));
        hosts.add(host);
        return host;
    }

    private static String emailNo(int i) {
        return String.format("user%02d@example.com", i);
    }

    @Test
    void accountsLiveOnTheirEmailsShardSpreadOverEveryMasterAndListInEmailOrder() {
        HttpJson http = new HttpJson(instance().httpPort());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.get("/ready", null).status() == 200);
        for (int i = 0; i < 30; i++) {
            assertThat(http.post("/users", obj("name", "U" + i, "email", emailNo(i), "password", "secret-pass"), null)
                            .status())
                    .isEqualTo(201);
        }
        Set<String> nodes = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String email = emailNo(i);
            String tag = Streams.tag(Streams.shardOf(email));
            String user = "user:" + tag + ":" + email;
            assertThat(redis.sync().get(user)).contains("\"email\":\"" + email + "\"");
            assertThat(SlotHash.getSlot(user))
                    .isEqualTo(SlotHash.getSlot("token_version:" + tag + ":" + email))
                    .isEqualTo(SlotHash.getSlot(Streams.shard(Streams.USERS, Streams.shardOf(email))));
            assertThat(redis.sync().zscore("users:" + tag, email)).isZero();
            nodes.add(redis.getPartitions()
                    .getPartitionBySlot(SlotHash.getSlot(user))
                    .getNodeId());
        }
        assertThat(nodes).as("masters holding accounts").hasSize(3);
        long events = Streams.all(Streams.USERS, true).stream()
                .mapToLong(s -> redis.sync().xlen(s))
                .sum();
        assertThat(events).isEqualTo(30);

        // the listing pages through every shard in email order
        HttpJson.Reply login = http.post("/login", obj("email", emailNo(0), "password", "secret-pass"), null);
        String token = login.json().path("token").asText();
        ManagedChannel channel = ManagedChannelBuilder.forAddress(
                        "127.0.0.1", hosts.get(0).grpcPort())
                .usePlaintext()
                .build();
        try {
            var users = UserServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(token));
            List<String> listed = new ArrayList<>();
            String next = "";
            do {
                var page = users.listUsers(ListUsersRequest.newBuilder()
                        .setPageSize(7)
                        .setPageToken(next)
                        .build());
                page.getUsersList().stream().map(User::getEmail).forEach(listed::add);
                next = page.getNextPageToken();
            } while (!next.isEmpty());
            assertThat(listed)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30)
                            .mapToObj(UserClusterTest::emailNo)
                            .toList());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aNewPasswordRevokesOldTokensOnEveryInstanceAndDeletingFreesTheEmail() {
        HttpJson a = new HttpJson(instance().httpPort());
        HttpJson b = new HttpJson(instance().httpPort());
        assertThat(a.post("/users", obj("name", "Uni", "email", "uni@example.com", "password", "secret-pass"), null)
                        .status())
                .isEqualTo(201);
        String old = a.post("/login", obj("email", "uni@example.com", "password", "secret-pass"), null)
                .json()
                .path("token")
                .asText();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> b.get("/users/uni@example.com", old).status() == 200);

        assertThat(a.put(
                                "/users/uni@example.com",
                                obj("password", "new-secret-pass", "current_password", "secret-pass"),
                                old)
                        .status())
                .isEqualTo(200);
        // instance b learns it from events:users:{N}, not from its own write
        await().atMost(Duration.ofSeconds(5))
                .until(() -> b.get("/users/uni@example.com", old).status() == 401);

        String fresh = b.post("/login", obj("email", "uni@example.com", "password", "new-secret-pass"), null)
                .json()
                .path("token")
                .asText();
        assertThat(b.send("DELETE", "/users/uni@example.com", obj("current_password", "new-secret-pass"), fresh)
                        .status())
                .isEqualTo(204);
        String tag = Streams.tag(Streams.shardOf("uni@example.com"));
        assertThat(redis.sync().exists("user:" + tag + ":uni@example.com")).isZero();
        assertThat(redis.sync().zscore("users:" + tag, "uni@example.com")).isNull();
        assertThat(a.post("/users", obj("name", "Uni 2", "email", "uni@example.com", "password", "secret-pass"), null)
                        .status())
                .isEqualTo(201);
    }
}
