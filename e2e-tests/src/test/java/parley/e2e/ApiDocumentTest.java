package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keeps docs/openapi/<service>.yaml and the routes each service registers in step, both ways. */
class ApiDocumentTest {
    private static final Path ROOT =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    private static final Pattern ROUTE = Pattern.compile("routes\\.(get|post|put|delete|sse)\\(\\s*\"([^\"]+)\"");
    /** Registered by HttpHost on every service. */
    private static final Set<String> STANDARD = Set.of("GET /health", "GET /ready", "GET /metrics");

    @ParameterizedTest
    @ValueSource(strings = {"user-svc", "message-svc", "notification-svc", "frontend-svc"})
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists(String service) throws IOException {
        Set<String> inCode = new TreeSet<>(STANDARD);
        try (Stream<Path> files = Files.walk(ROOT.resolve(service).resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = ROUTE.matcher(Files.readString(file));
                while (m.find()) {
                    String method =
                            m.group(1).equals("sse") ? "GET" : m.group(1).toUpperCase(java.util.Locale.ROOT);
                    inCode.add(method + " " + m.group(2));
                }
            }
        }
        if (service.equals("frontend-svc")) {
            inCode.add("GET /"); // the page, served as static files
        }

        JsonNode doc = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("docs/openapi/" + service + ".yaml").toFile());
        Set<String> documented = new TreeSet<>();
        doc.path("paths")
                .properties()
                .forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                    if (Set.of("get", "post", "put", "delete", "patch").contains(method)) {
                        documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                    }
                }));

        assertThat(documented)
                .as("docs/openapi/%s.yaml vs the routes in %s", service, service)
                .isEqualTo(inCode);
    }
}
