package parley.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

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
    assertThatThrownBy(() -> new Env(Map.of("HTTP_PORT", "70000")).port("HTTP_PORT", 8080)).hasMessageContaining("HTTP_PORT");
    assertThatThrownBy(() -> new Env(Map.of("GRPC_PORT", "abc")).port("GRPC_PORT", 1)).hasMessageContaining("GRPC_PORT must be a whole number");
  }

  @Test
  void aShortSecretIsRefused() {
    assertThatThrownBy(() -> new Env(Map.of("AUTH_SECRET", "short")).secret("AUTH_SECRET"))
        .hasMessageContaining("AUTH_SECRET must be at least 32 bytes");
  }

  @Test
  void aPeerAddressMustBeHostColonPort() {
    assertThat(new Env(Map.of("USER_SVC_ADDR", "user-svc:9797")).hostPort("USER_SVC_ADDR")).isEqualTo("user-svc:9797");
    assertThatThrownBy(() -> new Env(Map.of("USER_SVC_ADDR", "user-svc")).hostPort("USER_SVC_ADDR"))
        .hasMessageContaining("USER_SVC_ADDR must be host:port");
  }
}
