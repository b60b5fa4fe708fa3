package parley.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables each service reads, from the env getters in its {@code *Config} record:
 * what deployment files (compose.yml, the Kubernetes manifests) set is checked against it.
 */
record ServiceVariables(Set<String> known, Set<String> required) {
    static final Path ROOT =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    static final Map<String, String> CONFIG = Map.of(
            "user-svc", "user-svc/src/main/java/parley/user/UserConfig.java",
            "message-svc", "message-svc/src/main/java/parley/message/MessageConfig.java",
            "notification-svc", "notification-svc/src/main/java/parley/notification/NotificationConfig.java",
            "frontend-svc", "frontend-svc/src/main/java/parley/frontend/FrontendConfig.java");
    private static final Pattern READ = Pattern.compile("env\\.(\\w+)\\(\\s*\"([A-Z_]+)\"");
    // getters without a default: the variable must be set
    private static final Set<String> NO_DEFAULT = Set.of("required", "redisUrl", "hostPort", "secret");

    static ServiceVariables of(String service) {
        Set<String> known = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        try {
            String source = Files.readString(ROOT.resolve(CONFIG.get(service)));
            if (source.contains("env.consumerName(")) {
                known.add("CONSUMER_NAME"); // Env.consumerName reads it (the host name by default)
            }
            Matcher m = READ.matcher(source);
            while (m.find()) {
                known.add(m.group(2));
                if (NO_DEFAULT.contains(m.group(1))) {
                    required.add(m.group(2));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceVariables(known, required);
    }

    /** Read by libraries, not by the Config records: OpenTelemetry's autoconfigure and logback; and REDIS_CLUSTER, by Env with every Redis location. */
    static boolean readElsewhere(String name) {
        return name.startsWith("OTEL_") || name.equals("LOG_LEVEL") || name.equals("REDIS_CLUSTER");
    }
}
