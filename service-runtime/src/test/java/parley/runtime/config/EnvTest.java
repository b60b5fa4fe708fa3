package parley.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    void redisClusterTakesACommaSeparatedSeedListWithoutDatabaseNumbers() {
        Env cluster = new Env(
                Map.of("REDIS_CLUSTER", "true", "REDIS_URL", "redis://a:7001, redis://b:7001,redis://c:7001/0"));
        assertThat(cluster.redisCluster()).isTrue();
        assertThat(cluster.redisUrl("REDIS_URL")).isEqualTo("redis://a:7001, redis://b:7001,redis://c:7001/0");
        assertThatThrownBy(() ->
                        new Env(Map.of("REDIS_CLUSTER", "true", "REDIS_URL", "redis://a:7001/2")).redisUrl("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database 0 only");
        assertThatThrownBy(() -> new Env(Map.of("REDIS_CLUSTER", "true", "REDIS_URL", "redis://a:7001,,redis://b:7001"))
                        .redisUrl("REDIS_URL"))
                .hasMessageContaining("empty seed");
        assertThatThrownBy(() -> new Env(Map.of("REDIS_CLUSTER", "true", "REDIS_URL", "a:7001,redis://b:7001"))
                        .redisUrl("REDIS_URL"))
                .hasMessageContaining("must start with redis://");
        assertThatThrownBy(() -> new Env(Map.of("REDIS_CLUSTER", "maybe")).redisCluster())
                .hasMessageContaining("REDIS_CLUSTER must be true or false");
    }

    @Test
    void standaloneTakesOneLocationAndPointsAListAtRedisCluster() {
        assertThatThrownBy(() -> new Env(Map.of("REDIS_URL", "redis://a:7001,redis://b:7001")).redisUrl("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("several Redis nodes")
                .hasMessageContaining("REDIS_CLUSTER=true");
        Env standalone = new Env(Map.of("REDIS_CLUSTER", "false", "REDIS_URL", "redis://localhost:6379/2"));
        assertThat(standalone.redisUrl("REDIS_URL")).isEqualTo("redis://localhost:6379/2");
        assertThat(standalone.redisCluster()).isFalse();
    }

    @Test
    void aMissingRequiredVariableIsNamed() {
        assertThatThrownBy(() -> new Env(Map.of()).redisUrl("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("REDIS_URL is required but not set");
    }

    @Test
    void aMalformedRedisUrlIsNamed() {
        assertThatThrownBy(() -> new Env(Map.of("REDIS_URL", "localhost:6379")).redisUrl("REDIS_URL"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL");
        assertThatThrownBy(() -> new Env(Map.of("REDIS_URL", "redis://localhost:6379/x")).redisUrl("REDIS_URL"))
                .hasMessageContaining("database number");
        assertThat(new Env(Map.of("REDIS_URL", "redis://localhost:6379/1")).redisUrl("REDIS_URL"))
                .isEqualTo("redis://localhost:6379/1");
    }

    @Test
    void portsDefaultAndAreChecked() {
        assertThat(new Env(Map.of()).port("HTTP_PORT", 8080)).isEqualTo(8080);
        assertThat(new Env(Map.of("HTTP_PORT", "0")).port("HTTP_PORT", 8080)).isZero();
        assertThatThrownBy(() -> new Env(Map.of("HTTP_PORT", "70000")).port("HTTP_PORT", 8080))
                .hasMessageContaining("HTTP_PORT");
        assertThatThrownBy(() -> new Env(Map.of("GRPC_PORT", "abc")).port("GRPC_PORT", 1))
                .hasMessageContaining("GRPC_PORT must be a whole number");
    }

    @Test
    void durationsOfZeroOrLessAreRefusedNamingTheVariable() {
        // CONSUMER_BLOCK_MS=0 used to block forever
        assertThatThrownBy(() -> new Env(Map.of("CONSUMER_BLOCK_MS", "0"))
                        .millis("CONSUMER_BLOCK_MS", java.time.Duration.ofSeconds(2)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CONSUMER_BLOCK_MS must be from 1");
        assertThatThrownBy(() -> new Env(Map.of("LOGIN_WINDOW_SECONDS", "-5"))
                        .seconds("LOGIN_WINDOW_SECONDS", java.time.Duration.ofMinutes(5)))
                .hasMessageContaining("LOGIN_WINDOW_SECONDS");
        assertThat(new Env(Map.of("USER_CACHE_SECONDS", "0"))
                        .seconds("USER_CACHE_SECONDS", java.time.Duration.ofMinutes(1), 0))
                .isZero();
        assertThatThrownBy(() -> new Env(Map.of("BCRYPT_COST", "40")).integer("BCRYPT_COST", 12, 4, 31))
                .hasMessageContaining("BCRYPT_COST must be from 4 to 31");
    }

    @Test
    void aPublishedExampleSecretIsRefused() {
        // issue 16, example 1: the documented values passed the length check
        for (String published : Env.PUBLISHED_SECRETS) {
            assertThatThrownBy(() -> new Env(Map.of("AUTH_SECRET", published)).secret("AUTH_SECRET"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("example value");
        }
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new Env(Map.of("AUTH_SECRET", "short")).secret("AUTH_SECRET"))
                .hasMessageContaining("AUTH_SECRET must be at least 32 bytes");
    }

    @Test
    void aPeerAddressMustBeHostColonPort() {
        assertThat(new Env(Map.of("USER_SVC_ADDR", "user-svc:9797")).hostPort("USER_SVC_ADDR"))
                .isEqualTo("user-svc:9797");
        assertThatThrownBy(() -> new Env(Map.of("USER_SVC_ADDR", "user-svc")).hostPort("USER_SVC_ADDR"))
                .hasMessageContaining("USER_SVC_ADDR must be host:port");
    }
}
