package parley.runtime.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Reads configuration from environment variables, once, at start. Every getter fails with a
 * {@link ConfigException} naming the variable when it is missing or malformed.
 */
public final class Env {
  private final Map<String, String> vars;

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public Optional<String> optional(String name) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String required(String name) {
    return optional(name).orElseThrow(() -> new ConfigException(name + " is required but not set"));
  }

  /** A listening port, 0 to 65535 ({@code 0} = any free port). */
  public int port(String name, int defaultPort) {
    int port = integer(name, defaultPort);
    if (port < 0 || port > 65535) {
      throw new ConfigException(name + " must be a port from 0 to 65535, got " + port);
    }
    return port;
  }

  public int integer(String name, int defaultValue) {
    return optional(name).map(v -> parseInt(name, v)).orElse(defaultValue);
  }

  public int positive(String name, int defaultValue) {
    int value = integer(name, defaultValue);
    if (value <= 0) {
      throw new ConfigException(name + " must be a positive number, got " + value);
    }
    return value;
  }

  /** A duration in milliseconds. */
  public Duration millis(String name, Duration defaultValue) {
    return optional(name).map(v -> Duration.ofMillis(parseInt(name, v))).orElse(defaultValue);
  }

  /** A duration in whole seconds. */
  public Duration seconds(String name, Duration defaultValue) {
    return optional(name).map(v -> Duration.ofSeconds(parseInt(name, v))).orElse(defaultValue);
  }

  /** A {@code redis://host:port/db} location. */
  public String redisUrl(String name) {
    String value = required(name);
    try {
      URI uri = new URI(value);
      if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
        throw new ConfigException(name + " must start with redis:// or rediss://, got '" + value + "'");
      }
      if (uri.getHost() == null) {
        throw new ConfigException(name + " must name a host, e.g. redis://localhost:6379/0");
      }
      String path = uri.getPath();
      if (path != null && path.length() > 1 && !path.substring(1).matches("\\d{1,2}")) {
        throw new ConfigException(name + " must end with a database number, e.g. /0, got '" + value + "'");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new ConfigException(name + " is not a valid URL: " + e.getMessage());
    }
  }

  /** A {@code host:port} address of a peer's gRPC server. */
  public String hostPort(String name) {
    String value = required(name);
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new ConfigException(name + " must be host:port, got '" + value + "'");
    }
    int port = parseInt(name, value.substring(colon + 1));
    if (port <= 0 || port > 65535) {
      throw new ConfigException(name + " has an invalid port in '" + value + "'");
    }
    return value;
  }

  /** The shared token secret: at least 32 bytes. */
  public byte[] secret(String name) {
    byte[] secret = required(name).getBytes(StandardCharsets.UTF_8);
    if (secret.length < 32) {
      throw new ConfigException(name + " must be at least 32 bytes long, got " + secret.length);
    }
    return secret;
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got '" + value + "'");
    }
  }
}
