package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** compose.yml sets what each service needs, waits for health, and is valid. */
class ComposeFileTest {
    private static final Path ROOT = ServiceVariables.ROOT;
    private static final Map<String, String> CONFIG = ServiceVariables.CONFIG;

    /** compose.yml as compose reads it: anchors, aliases and {@code <<} merge keys resolved (SnakeYAML). */
    private static JsonNode compose() throws IOException {
        Object loaded = new org.yaml.snakeyaml.Yaml().load(Files.readString(ROOT.resolve("compose.yml")));
        return new ObjectMapper().valueToTree(loaded);
    }

    @ParameterizedTest
    @ValueSource(strings = {"user-svc", "message-svc", "notification-svc", "frontend-svc"})
    void everyVariableAServiceNeedsIsSetAndNothingUnknownIs(String service) throws IOException {
        ServiceVariables vars = ServiceVariables.of(service);
        Set<String> required = vars.required();
        Set<String> known = vars.known();
        Set<String> set = new TreeSet<>();
        compose()
                .path("services")
                .path(service)
                .path("environment")
                .fieldNames()
                .forEachRemaining(set::add);

        assertThat(required).isNotEmpty();
        assertThat(set)
                .as("variables compose.yml sets for %s", service)
                .containsAll(required)
                .containsAll(Set.of("HTTP_PORT", "GRPC_PORT"));
        set.removeIf(ServiceVariables::readElsewhere);
        assertThat(known)
                .as("every variable compose.yml sets for %s is one it reads", service)
                .containsAll(set);
    }

    @Test
    void servicesStartOnlyOnceWhatTheyNeedIsHealthyAndHaveHealthChecks() throws IOException {
        JsonNode services = compose().path("services");
        assertThat(services.path("redis").path("command").toString())
                .contains("--appendonly")
                .contains("yes");
        assertThat(services.path("redis").path("healthcheck").isMissingNode()).isFalse();
        assertThat(services.path("message-svc")
                        .path("depends_on")
                        .path("user-svc")
                        .path("condition")
                        .asText())
                .isEqualTo("service_healthy");
        for (String s : new String[] {"user-svc", "message-svc", "notification-svc", "frontend-svc"}) {
            assertThat(services.path(s)
                            .path("depends_on")
                            .path("redis")
                            .path("condition")
                            .asText())
                    .isEqualTo("service_healthy");
            String dockerfile = Files.readString(ROOT.resolve(s).resolve("Dockerfile"));
            assertThat(dockerfile)
                    .contains("AS build")
                    .contains("COPY deploy/ready-probe deploy/aot-train /app/")
                    .contains("CMD [\"/app/ready-probe\"]")
                    .doesNotContain("HealthProbe")
                    .contains("USER parley")
                    .contains("-jre");
        }
        for (String peer : new String[] {"user-svc", "message-svc", "notification-svc"}) {
            assertThat(services.path("frontend-svc")
                            .path("depends_on")
                            .path(peer)
                            .path("condition")
                            .asText())
                    .isEqualTo("service_healthy");
        }
    }

    @Test
    void theClusterProfileRunsTwoOfEveryServiceInClusterModeOnThreeJoinedRedisNodes() throws IOException {
        JsonNode services = compose().path("services");
        for (String service : CONFIG.keySet()) {
            for (int i = 1; i <= 2; i++) {
                JsonNode s = services.path("cluster-" + service + "-" + i);
                assertThat(s.path("profiles").toString())
                        .as("cluster-%s-%d", service, i)
                        .contains("cluster");
                JsonNode env = s.path("environment");
                assertThat(env.path("REDIS_CLUSTER").asText()).isEqualTo("true");
                env.fieldNames().forEachRemaining(name -> {
                    if (name.equals("REDIS_URL") || name.endsWith("_STREAM_URL")) {
                        assertThat(env.path(name).asText().split(","))
                                .as("%s of cluster-%s: the seed nodes", name, service)
                                .containsExactly(
                                        "redis://redis-node-1:6379",
                                        "redis://redis-node-2:6379",
                                        "redis://redis-node-3:6379");
                    }
                });
                Set<String> set = new TreeSet<>();
                env.fieldNames().forEachRemaining(set::add);
                set.removeIf(ServiceVariables::readElsewhere);
                assertThat(ServiceVariables.of(service).known()).containsAll(set);
                assertThat(s.path("depends_on")
                                .path("redis-cluster-init")
                                .path("condition")
                                .asText())
                        .isEqualTo("service_completed_successfully");
            }
        }
        assertThat(services.path("cluster-notification-svc-1")
                        .path("environment")
                        .path("CONSUMER_NAME")
                        .asText())
                .isNotEqualTo(services.path("cluster-notification-svc-2")
                        .path("environment")
                        .path("CONSUMER_NAME")
                        .asText());
        for (int n = 1; n <= 3; n++) {
            assertThat(services.path("redis-node-" + n).path("command").toString())
                    .contains("--cluster-enabled yes");
        }
        assertThat(services.path("redis-cluster-init").path("command").toString())
                .contains("--cluster create", "--cluster-replicas 0");
    }

    @Test
    void docker_compose_acceptsTheFileWhereItIsInstalledAndRefusesItWithoutASecret() throws Exception {
        Path binary = Path.of("/usr/bin/docker-compose");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(binary), "docker-compose not installed; the YAML checks above still ran");
        assertThat(composeConfig(binary, "0123456789abcdef0123456789abcdef").exitValue())
                .isZero();
        assertThat(composeConfig(binary, "0123456789abcdef0123456789abcdef", "--profile", "observability")
                        .exitValue())
                .isZero();
        assertThat(composeConfig(binary, "0123456789abcdef0123456789abcdef", "--profile", "cluster")
                        .exitValue())
                .isZero();

        Process without = composeConfig(binary, null);
        assertThat(without.exitValue()).isNotZero();
        assertThat(new String(without.getInputStream().readAllBytes())).contains("AUTH_SECRET");
    }

    private static Process composeConfig(Path binary, String secret, String... options) throws Exception {
        // from an empty directory, so no .env lying around supplies one
        Path empty = Files.createTempDirectory("compose-check");
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "-f",
                ROOT.resolve("compose.yml").toString(),
                "--project-directory",
                empty.toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("config", "-q"));
        ProcessBuilder b = new ProcessBuilder(command).directory(empty.toFile()).redirectErrorStream(true);
        b.environment().remove("AUTH_SECRET");
        if (secret != null) {
            b.environment().put("AUTH_SECRET", secret);
        }
        Process p = b.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void theHealthCheckProbePassesOnlyOnA200InTime() throws Exception {
        // issue 14: the health check starts no JVM; deploy/ready-probe is what the images run
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ready", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/starting", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getAddress().getPort();
            assertThat(probe(Map.of("HTTP_PORT", Integer.toString(port))))
                    .as("200 on /ready")
                    .isZero();
            assertThat(probe(Map.of(), Integer.toString(port), "/starting"))
                    .as("503")
                    .isEqualTo(1);
            int closed;
            try (ServerSocket once = new ServerSocket(0)) {
                closed = once.getLocalPort(); // closed again at once: nothing listens there
            }
            assertThat(probe(Map.of(), Integer.toString(closed))).as("refused").isEqualTo(1);
            assertThat(probe(Map.of("READY_PROBE_TIMEOUT", "1"), Integer.toString(silent.getLocalPort())))
                    .as("accepted but never answered")
                    .isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    private static int probe(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder b = new ProcessBuilder(ROOT.resolve("deploy/ready-probe").toString());
        b.command().addAll(List.of(args));
        b.environment().remove("HTTP_PORT");
        b.environment().putAll(env);
        Process p = b.redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS))
                .as("the probe ends by itself")
                .isTrue();
        return p.exitValue();
    }

    @Test
    void theObservabilityProfileWiresTracesToJaegerAndScrapesEveryService() throws IOException {
        JsonNode services = compose().path("services");
        for (String s : new String[] {"otel-collector", "jaeger", "prometheus", "grafana"}) {
            assertThat(services.path(s).path("profiles").toString()).as(s).contains("observability");
            services.path(s)
                    .path("volumes")
                    .forEach(v -> assertThat(ROOT.resolve(v.asText().split(":")[0]))
                            .as("what %s mounts is in the repository", s)
                            .exists());
        }
        for (String s : CONFIG.keySet()) {
            assertThat(services.path(s)
                            .path("environment")
                            .path("OTEL_EXPORTER_OTLP_ENDPOINT")
                            .asText())
                    .as("%s takes its endpoint from the environment, empty (off) by default", s)
                    .isEqualTo("${OTEL_EXPORTER_OTLP_ENDPOINT:-}");
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode collector = yaml.readTree(
                ROOT.resolve("deploy/observability/otel-collector.yaml").toFile());
        assertThat(collector
                        .path("receivers")
                        .path("otlp")
                        .path("protocols")
                        .path("http")
                        .path("endpoint")
                        .asText())
                .endsWith(":4318");
        assertThat(collector
                        .path("exporters")
                        .path("otlp/jaeger")
                        .path("endpoint")
                        .asText())
                .isEqualTo("jaeger:4317");
        assertThat(collector
                        .path("service")
                        .path("pipelines")
                        .path("traces")
                        .path("exporters")
                        .toString())
                .contains("otlp/jaeger");
        String targets = yaml.readTree(
                        ROOT.resolve("deploy/observability/prometheus.yml").toFile())
                .path("scrape_configs")
                .toString();
        for (String s : CONFIG.keySet()) {
            String port = services.path(s).path("environment").path("HTTP_PORT").asText();
            assertThat(targets).contains(s + ":" + port);
        }
    }

    @Test
    void onlyWhatUsersCallIsPublishedAndThereIsNoDefaultSecret() throws IOException {
        // issue 16, example 1: Redis and every internal gRPC port were published, and the secret had a default
        JsonNode services = compose().path("services");
        assertThat(services.path("redis").path("ports").isMissingNode())
                .as("Redis is not published")
                .isTrue();
        Set<String> published = new TreeSet<>();
        Set<String> cluster = new TreeSet<>();
        Set<String> local = new TreeSet<>();
        services.fields().forEachRemaining(e -> {
            String profile = e.getValue().path("profiles").path(0).asText("");
            Set<String> into = profile.isEmpty() ? published : profile.equals("cluster") ? cluster : local;
            e.getValue().path("ports").forEach(p -> into.add(p.asText()));
        });
        assertThat(published)
                .containsExactlyInAnyOrder("8080:8080", "8081:8081", "8082:8082", "8083:8083", "3030:3030");
        assertThat(cluster)
                .as("the cluster profile publishes what the default one does, 10000 higher, and its second frontend")
                .containsExactlyInAnyOrder("18080:8080", "18081:8081", "18082:8082", "18083:8083", "18084:8083");
        assertThat(local)
                .as("the observability profile's UIs are published on the loopback interface only")
                .isNotEmpty()
                .allMatch(p -> p.startsWith("127.0.0.1:"));
        String text = Files.readString(ROOT.resolve("compose.yml"));
        assertThat(text).doesNotContain("AUTH_SECRET:-").contains("${AUTH_SECRET:?");
        assertThat(Files.readString(ROOT.resolve(".env.example"))).containsPattern("(?m)^AUTH_SECRET=$");
    }
}
