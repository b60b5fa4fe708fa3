package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s renders with {@code kubectl kustomize}, and every rendered object parses as its
 * Kubernetes type (fabric8's models, generated from the Kubernetes OpenAPI schemas) with no field
 * the schema does not know; then what each Deployment must have is checked against the services.
 */
class KubernetesManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Namespace", Namespace.class,
            "ConfigMap", ConfigMap.class,
            "Secret", Secret.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "StatefulSet", StatefulSet.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "Job", io.fabric8.kubernetes.api.model.batch.v1.Job.class);

    private static List<JsonNode> rendered;
    private static List<HasMetadata> objects;

    @BeforeAll
    static void render(@TempDir Path tmp) throws Exception {
        rendered = render(tmp, "standalone");
        objects = new ArrayList<>();
        for (JsonNode doc : rendered) {
            objects.add(parse(doc));
        }
    }

    /** {@code kubectl kustomize deploy/k8s/overlays/<overlay>}, on a copy with the operator's secret file. */
    private static List<JsonNode> render(Path tmp, String overlay) throws Exception {
        Path copy = tmp.resolve("k8s-" + overlay);
        copyTree(ServiceVariables.ROOT.resolve("deploy/k8s"), copy);
        // what an operator creates once (and never commits)
        Files.writeString(copy.resolve("base/auth-secret.env"), "AUTH_SECRET=" + "ab".repeat(32) + "\n");
        String yaml = kubectl("kustomize", copy.resolve("overlays/" + overlay).toString());
        List<JsonNode> docs = new ArrayList<>();
        try (var all = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (all.hasNext()) {
                JsonNode doc = (JsonNode) all.next();
                if (!doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    @Test
    void theClusterOverlayRunsEveryServiceInClusterModeOnARedisCluster(@TempDir Path tmp) throws Exception {
        List<HasMetadata> cluster = new ArrayList<>();
        for (JsonNode doc : render(tmp, "cluster")) {
            HasMetadata o = parse(doc);
            assertThat(unknownFields(o, o.getKind() + "/" + o.getMetadata().getName()))
                    .as("fields Kubernetes does not know")
                    .isEmpty();
            cluster.add(o);
        }
        ConfigMap config = cluster.stream()
                .filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().equals("parley-config"))
                .findFirst()
                .orElseThrow();
        assertThat(config.getData()).containsEntry("REDIS_CLUSTER", "true");
        assertThat(config.getData().get("REDIS_BASE").split(","))
                .hasSize(3)
                .allMatch(seed -> seed.matches("redis://redis-cluster-\\d\\.redis-cluster:6379"));
        List<Deployment> deployments = cluster.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .toList();
        assertThat(deployments)
                .extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(ServiceVariables.CONFIG.keySet());
        for (Deployment d : deployments) {
            for (EnvVar e :
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (e.getName().equals("REDIS_URL") || e.getName().endsWith("_STREAM_URL")) {
                    assertThat(e.getValue())
                            .as(
                                    "%s %s: the whole cluster, no database",
                                    d.getMetadata().getName(), e.getName())
                            .isEqualTo("$(REDIS_BASE)");
                }
            }
        }
        StatefulSet redis = cluster.stream()
                .filter(StatefulSet.class::isInstance)
                .map(StatefulSet.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(redis.getSpec().getReplicas()).isEqualTo(3);
        assertThat(String.join(
                        " ",
                        redis.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getArgs()))
                .contains("--cluster-enabled yes", "--appendonly yes");
        assertThat(cluster)
                .anyMatch(o ->
                        o.getKind().equals("Job") && o.getMetadata().getName().equals("redis-cluster-create"));
    }

    @Test
    void everyRenderedObjectIsAKnownKindWithOnlyFieldsItsSchemaHas() {
        assertThat(objects).extracting(HasMetadata::getKind).contains("Deployment", "Secret", "ConfigMap");
        for (HasMetadata o : objects) {
            assertThat(unknownFields(o, o.getKind() + "/" + o.getMetadata().getName()))
                    .as("fields Kubernetes does not know")
                    .isEmpty();
            if (!(o instanceof Namespace)) {
                assertThat(o.getMetadata().getNamespace()).isEqualTo("parley");
            }
        }
    }

    @Test
    void aMisspelledFieldIsCaught() throws Exception {
        JsonNode deployment = rendered.stream()
                .filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst()
                .orElseThrow()
                .deepCopy();
        ((ObjectNode) deployment
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .get(0))
                .putObject("readinesProbe");
        assertThat(unknownFields(parse(deployment), "Deployment"))
                .singleElement()
                .asString()
                .contains("readinesProbe");
    }

    @Test
    void eachServiceIsADeploymentThatProbesDrainsIsBoundedAndGetsWhatItNeeds() {
        ConfigMap config = only(ConfigMap.class, "parley-config");
        Secret secret = objects.stream()
                .filter(Secret.class::isInstance)
                .map(Secret.class::cast)
                .filter(s -> s.getMetadata().getName().startsWith("parley-auth"))
                .findFirst()
                .orElseThrow();
        assertThat(secret.getData()).containsKey("AUTH_SECRET");

        for (String name : ServiceVariables.CONFIG.keySet()) {
            Deployment d = only(Deployment.class, name);
            var pod = d.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).as(name).isEqualTo("/ready");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).as(name).isEqualTo("/health");
            assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(name).containsKey("memory");
            assertThat(c.getLifecycle().getPreStop()).as(name).isNotNull();
            assertThat(pod.getTerminationGracePeriodSeconds()).as(name).isGreaterThanOrEqualTo(30);
            assertThat(d.getSpec().getReplicas()).as(name).isGreaterThanOrEqualTo(2);

            Map<String, EnvVar> env = new LinkedHashMap<>();
            c.getEnv().forEach(e -> env.put(e.getName(), e));
            assertThat(env.get("AUTH_SECRET").getValueFrom().getSecretKeyRef().getName())
                    .as("%s reads the generated Secret", name)
                    .isEqualTo(secret.getMetadata().getName());
            assertThat(c.getEnvFrom())
                    .anyMatch(f -> f.getConfigMapRef() != null
                            && f.getConfigMapRef().getName().equals("parley-config"));

            Set<String> set = new TreeSet<>(env.keySet());
            set.addAll(config.getData().keySet());
            ServiceVariables vars = ServiceVariables.of(name);
            assertThat(set).as("variables %s gets", name).containsAll(vars.required());
            set.removeIf(v -> ServiceVariables.readElsewhere(v) || v.equals("REDIS_BASE"));
            assertThat(vars.known())
                    .as("every variable %s gets is one it reads", name)
                    .containsAll(set);

            int http = Integer.parseInt(env.get("HTTP_PORT").getValue());
            int grpc = Integer.parseInt(env.get("GRPC_PORT").getValue());
            assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).containsExactlyInAnyOrder(http, grpc);
            Service service = only(Service.class, name);
            assertThat(service.getSpec().getPorts())
                    .extracting(ServicePort::getPort)
                    .containsExactlyInAnyOrder(http, grpc);
            assertThat(service.getSpec().getSelector())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels());

            PodDisruptionBudget pdb = only(PodDisruptionBudget.class, name);
            assertThat(pdb.getSpec().getSelector().getMatchLabels())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels());
            HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class, name);
            assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name);
            assertThat(hpa.getSpec().getMetrics())
                    .anyMatch(m ->
                            m.getResource() != null && m.getResource().getName().equals("cpu"));
        }
        assertThat(only(Service.class, "frontend-svc").getSpec().getSessionAffinity())
                .isEqualTo("None");
    }

    @Test
    void theStandaloneOverlayRunsTheRedisTheServicesPointAt() {
        String base = only(ConfigMap.class, "parley-config").getData().get("REDIS_BASE");
        assertThat(base).isEqualTo("redis://redis:6379");
        assertThat(only(Service.class, "redis").getSpec().getPorts())
                .extracting(ServicePort::getPort)
                .containsExactly(6379);
        assertThat(only(StatefulSet.class, "redis")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getArgs())
                .contains("--appendonly", "yes");
    }

    private static <T extends HasMetadata> T only(Class<T> type, String name) {
        List<T> found = objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .toList();
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }

    private static HasMetadata parse(JsonNode doc) throws IOException {
        Class<? extends HasMetadata> type = KINDS.get(doc.path("kind").asText());
        assertThat(type).as("a kind this test knows: %s", doc.path("kind")).isNotNull();
        return YAML.treeToValue(doc, type);
    }

    /**
     * Fields the models kept aside because their schema has no such field: fabric8's models put
     * every unknown key in {@code additionalProperties} instead of failing.
     */
    private static List<String> unknownFields(Object o, String path) {
        List<String> unknown = new ArrayList<>();
        walk(o, path, unknown);
        return unknown;
    }

    private static void walk(Object o, String path, List<String> unknown) {
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown));
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                walk(e, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0
                    || !m.getName().startsWith("get")
                    || !m.getDeclaringClass().getName().startsWith("io.fabric8")) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                walk(value, path + "." + m.getName().substring(3), unknown);
            }
        }
    }

    private static String kubectl(String... args) throws Exception {
        Path binary = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(binary != null, "kubectl not installed (.ci/run installs it)");
        String version = run(List.of(binary.toString(), "version", "--client"));
        Assumptions.assumeFalse(
                version.matches("(?s).*Kustomize Version: v[0-3]\\..*") || !version.contains("Kustomize Version"),
                "this kubectl's kustomize is older than v4: " + version);
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws Exception {
        Path errors = Files.createTempFile("kubectl", ".err");
        Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("%s: %s", command, Files.readString(errors))
                .isZero();
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("auth-secret.env")) {
                    Files.copy(f, target);
                }
            }
        }
    }
}
