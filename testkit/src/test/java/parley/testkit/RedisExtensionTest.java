package parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.launcher.RedisServerProcess;

@ExtendWith(RedisExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisExtensionTest {

    @Test
    @Order(1)
    void givesARealRedisThatStoresAndReadsBack(TestRedis redis) {
        try (StatefulRedisConnection<String, String> db1 = redis.connect(1)) {
            db1.sync().set("probe", "written");
            assertThat(db1.sync().get("probe")).isEqualTo("written");
            assertThat(db1.sync().info("server")).contains("redis_version");
        }
    }

    @Test
    @Order(2)
    void everyTestStartsOnAnEmptyServer(TestRedis redis) {
        try (StatefulRedisConnection<String, String> db1 = redis.connect(1)) {
            assertThat(db1.sync().dbsize()).isZero();
        }
    }

    @Test
    @Order(3)
    void databasesAreSeparateLikeTheServicesExpect(TestRedis redis) {
        try (StatefulRedisConnection<String, String> db0 = redis.connect(0);
                StatefulRedisConnection<String, String> db2 = redis.connect(2)) {
            db0.sync().set("only-in-0", "x");
            assertThat(db2.sync().exists("only-in-0")).isZero();
            assertThat(redis.url(2)).endsWith("/2");
        }
    }

    @Test
    void aStartedRedisServerListensOnItsOwnFreePortAndStops() throws Exception {
        RedisServerProcess server = RedisServerProcess.start();
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            assertThat(socket.isConnected()).isTrue();
        } finally {
            server.stop();
        }
        assertThat(portIsClosed(server.port())).isTrue();
    }

    private static boolean portIsClosed(int port) {
        try (var ignored = new java.net.Socket("127.0.0.1", port)) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
