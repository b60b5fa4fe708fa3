package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.runtime.config.Env;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** REDIS_URL may name an ACL user and its password (issue 16): a service's Redis user, limited to its keys. */
@ExtendWith(RedisExtension.class)
class RedisAclTest {
    private final TestRedis redis;
    private final RedisConnections connections = new RedisConnections();

    RedisAclTest(TestRedis redis) {
        this.redis = redis;
    }

    @AfterEach
    void dropUser() {
        try (var admin = redis.connect(0)) {
            admin.sync().aclDeluser("parley-acl-test");
        }
        connections.close();
    }

    @Test
    void aRedisUrlWithAnAclUserConnectsAndIsHeldToItsKeys() {
        try (var admin = redis.connect(0)) {
            admin.sync()
                    .dispatch(
                            io.lettuce.core.protocol.CommandType.ACL,
                            new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                    .add("SETUSER")
                                    .add("parley-acl-test")
                                    .add("on")
                                    .add(">s3cret-pass")
                                    .add("~notifications:*")
                                    .add("+@all"));
        }
        String url = new Env(Map.of(
                        "REDIS_URL", "redis://parley-acl-test:s3cret-pass@" + redis.host() + ":" + redis.port() + "/2"))
                .redisUrl("REDIS_URL");

        var connection = connections.connect(url);

        assertThat(RedisConnections.ping(connection)).isTrue();
        connection.sync().set("notifications:x", "1");
        assertThatThrownBy(() -> connection.sync().set("user:x", "1")).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> connections.connect(
                        "redis://parley-acl-test:wrong@" + redis.host() + ":" + redis.port() + "/2"))
                .isInstanceOf(io.lettuce.core.RedisException.class);
    }
}
