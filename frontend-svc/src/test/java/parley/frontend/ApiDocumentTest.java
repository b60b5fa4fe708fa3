package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.runtime.ServiceHost;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/**
 * Keeps docs/openapi/<service>.yaml and the routes each running service registered (its Javalin
 * route table) in step, both ways.
 */
@ExtendWith(RedisExtension.class)
class ApiDocumentTest {
    private static final Path DOCS =
            Path.of("..", "docs", "openapi").toAbsolutePath().normalize();
    private final TestRedis redis;

    ApiDocumentTest(TestRedis redis) {
        this.redis = redis;
    }

    @Test
    void everyRouteOfEveryServiceIsDocumentedAndEveryDocumentedRouteExists() throws IOException {
        try (ParleyStack stack = new ParleyStack(redis)) {
            Map<String, ServiceHost> services = Map.of(
                    "user-svc", stack.users,
                    "message-svc", stack.messages,
                    "notification-svc", stack.notifications,
                    "frontend-svc", stack.frontend);
            for (Map.Entry<String, ServiceHost> service : services.entrySet()) {
                Set<String> running = new TreeSet<>(service.getValue().routes());
                if (service.getKey().equals("frontend-svc")) {
                    running.add("GET /"); // the page, served as static files
                }
                assertThat(documented(service.getKey()))
                        .as("docs/openapi/%s.yaml vs the routes %s registered", service.getKey(), service.getKey())
                        .isEqualTo(running);
            }
        }
    }

    private static Set<String> documented(String service) throws IOException {
        JsonNode doc = new ObjectMapper(new YAMLFactory())
                .readTree(DOCS.resolve(service + ".yaml").toFile());
        Set<String> documented = new TreeSet<>();
        doc.path("paths")
                .properties()
                .forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                    if (Set.of("get", "post", "put", "delete", "patch").contains(method)) {
                        documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));
        return documented;
    }
}
