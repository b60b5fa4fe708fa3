package parley.runtime.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads configuration from environment variables, once, at start. Every getter fails with a
 * {@link ConfigException} naming the variable when it is missing or malformed.
 */
public final class Env {
    /** The longest duration any setting takes. */
    private static final long MAX_DAYS = 3650;

    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /**
     * {@code CONSUMER_NAME}, else this instance's host name (the container id under compose), else
     * {@code fallback}: one stream consumer per instance, named after it.
     */
    public String consumerName(String fallback) {
        return optional("CONSUMER_NAME").orElseGet(() -> {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    host = fallback;
                }
            }
            return host;
        });
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

    /** A whole number from {@code min} to {@code max}. */
    public int integer(String name, int defaultValue, int min, int max) {
        int value = integer(name, defaultValue);
        if (value < min || value > max) {
            throw new ConfigException(name + " must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    /** A duration in milliseconds, at least 1 ms (0 or less would mean "forever" or "never" to someone). */
    public Duration millis(String name, Duration defaultValue) {
        return millis(name, defaultValue, 1, MAX_DAYS * 86_400_000L);
    }

    /** A duration in milliseconds, from {@code min} to {@code max}. */
    public Duration millis(String name, Duration defaultValue, long min, long max) {
        return optional(name)
                .map(v -> Duration.ofMillis(inRange(name, parseInt(name, v), min, max, "ms")))
                .orElse(defaultValue);
    }

    /** A duration in whole seconds, at least 1 s. */
    public Duration seconds(String name, Duration defaultValue) {
        return seconds(name, defaultValue, 1);
    }

    /** A duration in whole seconds, at least {@code min} (0 where "off" makes sense). */
    public Duration seconds(String name, Duration defaultValue, long min) {
        return optional(name)
                .map(v -> Duration.ofSeconds(inRange(name, parseInt(name, v), min, MAX_DAYS * 86_400L, "s")))
                .orElse(defaultValue);
    }

    private static long inRange(String name, long value, long min, long max, String unit) {
        if (value < min || value > max) {
            throw new ConfigException(name + " must be from " + min + " to " + max + " (" + unit + "), got " + value);
        }
        return value;
    }

    /**
     * Whether {@code REDIS_CLUSTER} switches to Redis Cluster mode (SPEC §7.1): {@code true} or
     * {@code false} (the default, also when empty).
     */
    public boolean redisCluster() {
        String value = optional("REDIS_CLUSTER").orElse("false").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "false", "0", "no" -> false;
            case "true", "1", "yes" -> true;
            default -> throw new ConfigException("REDIS_CLUSTER must be true or false, got '" + value + "'");
        };
    }

    /**
     * Where Redis is. Standalone, a {@code redis://host:port/db} location. With {@code
     * REDIS_CLUSTER=true}, a comma-separated list of seed nodes of one Redis Cluster, each {@code
     * redis://host:port} (database numbers do not apply: a cluster has database 0 only).
     */
    public String redisUrl(String name) {
        String value = required(name);
        if (redisCluster()) {
            for (String seed : value.split(",")) {
                if (seed.isBlank()) {
                    throw new ConfigException(
                            name + " has an empty seed in '" + value
                                    + "'; give seed nodes separated by commas, e.g. redis://10.0.0.1:7001,redis://10.0.0.2:7001");
                }
                URI uri = redisUri(name, seed.strip());
                String path = uri.getPath();
                if (path != null && path.length() > 1 && !path.equals("/0")) {
                    throw new ConfigException(name + ": a Redis Cluster has database 0 only, got '" + seed.strip()
                            + "'; drop the /" + path.substring(1));
                }
            }
            return value;
        }
        if (value.contains(",")) {
            throw new ConfigException(name + " lists several Redis nodes ('" + value
                    + "'); for a Redis Cluster set REDIS_CLUSTER=true, else give one, e.g. redis://localhost:6379/0");
        }
        String path = redisUri(name, value).getPath();
        if (path != null && path.length() > 1 && !path.substring(1).matches("\\d{1,2}")) {
            throw new ConfigException(name + " must end with a database number, e.g. /0, got '" + value + "'");
        }
        return value;
    }

    private static URI redisUri(String name, String value) {
        try {
            URI uri = new URI(value);
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                throw new ConfigException(name + " must start with redis:// or rediss://, got '" + value + "'");
            }
            if (uri.getHost() == null) {
                throw new ConfigException(name + " must name a host, e.g. redis://localhost:6379/0");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(name + " is not a valid URL: " + e.getMessage());
        }
    }

    /** A {@code host:port} address of a peer's gRPC server, or several separated by commas. */
    public String hostPort(String name) {
        String value = required(name);
        for (String one : value.split(",")) {
            String hostPort = one.trim();
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw new ConfigException(
                        name + " must be host:port (or several, separated by commas), got '" + value + "'");
            }
            int port = parseInt(name, hostPort.substring(colon + 1));
            if (port <= 0 || port > 65535) {
                throw new ConfigException(name + " has an invalid port in '" + value + "'");
            }
        }
        return value;
    }

    /**
     * Values that were published as examples or defaults (in compose.yml and .env.example of earlier
     * versions): anyone could mint tokens with them, so a service refuses to start with one.
     */
    static final Set<String> PUBLISHED_SECRETS = Set.of(
            "change-me-to-a-long-random-secret-of-at-least-32-bytes", "insecure-dev-secret-set-AUTH_SECRET-in-.env");

    /** The shared token secret: at least 32 bytes, and not a published example. */
    public byte[] secret(String name) {
        String value = required(name);
        if (PUBLISHED_SECRETS.contains(value) || value.toLowerCase(Locale.ROOT).contains("change-me")) {
            throw new ConfigException(
                    name + " is an example value anyone can read; set a random one, e.g. openssl rand -hex 32");
        }
        byte[] secret = value.getBytes(StandardCharsets.UTF_8);
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
