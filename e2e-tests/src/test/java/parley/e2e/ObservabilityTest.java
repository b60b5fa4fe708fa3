package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/**
 * Issue 14's metrics, on the four services as real processes: the backlog behind a stopped
 * notification-svc shows on message-svc's {@code /metrics} and drains after it returns, and every
 * metric the provisioned Grafana dashboard queries is one some service exports.
 */
@ExtendWith(RedisExtension.class)
class ObservabilityTest {
    private static final Path ROOT =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BACKLOG =
            "parley_stream_group_lag{group=\"notification-svc\",service=\"message-svc\",stream=\"events:messages\"}";
    private static final Pattern METRIC = Pattern.compile("\\b(?:parley|http_server|jvm|process)_[a-z0-9_]+");
    private final TestRedis redis;
    private ProcessStack stack;

    ObservabilityTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() throws Exception {
        stack = new ProcessStack(redis, Map.of("EVENTS_TRIM_INTERVAL_MS", "200"));
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void lagRisesWhileNotificationSvcIsStoppedAndFallsToZeroAfterItReturns() {
        String ana = stack.register("ana@example.com");
        String bob = stack.register("bob@example.com");
        await().atMost(WAIT).until(() -> value(metrics(stack.ports.messageHttp()), BACKLOG) == 0);

        stack.get("notification-svc").kill();
        for (int i = 0; i < 25; i++) {
            assertThat(stack.messages()
                            .post("/messages", obj("receiver_email", "bob@example.com", "content", "m" + i), ana)
                            .status())
                    .isEqualTo(201);
        }
        await().atMost(WAIT)
                .alias("message-svc reports the 25 unread entries while notification-svc is down")
                .until(() -> value(metrics(stack.ports.messageHttp()), BACKLOG) >= 25);

        stack.restart("notification-svc");
        await().atMost(WAIT)
                .alias("the backlog drains once notification-svc is back")
                .until(() -> value(metrics(stack.ports.messageHttp()), BACKLOG) == 0);
        assertThat(value(
                        metrics(stack.ports.notificationHttp()),
                        "parley_stream_lag{service=\"notification-svc\",stream=\"events:messages\"}"))
                .isZero();
        assertThat(stack.notifications()
                        .get("/list_notifications?page_size=500", bob)
                        .json()
                        .path("notifications")
                        .size())
                .isEqualTo(25);
    }

    @Test
    void theDashboardIsValidAndEveryMetricItQueriesIsExported() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode dashboard = json.readTree(ROOT.resolve("deploy/observability/grafana/dashboards/parley.json")
                .toFile());
        JsonNode datasources = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("deploy/observability/grafana/provisioning/datasources/datasources.yaml")
                        .toFile());
        Set<String> uids = new TreeSet<>();
        datasources.path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
        assertThat(dashboard.path("uid").asText()).isEqualTo("parley");

        Set<String> queried = new TreeSet<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel ids are unique")
                    .isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isPositive();
            for (JsonNode target : panel.path("targets")) {
                assertThat(uids).contains(target.path("datasource").path("uid").asText());
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group());
                }
            }
        }
        assertThat(queried)
                .as("the panels cover throughput, lag, latency, errors, dead letters and live sessions")
                .contains(
                        "parley_stream_consumed_total",
                        "parley_stream_group_lag",
                        "parley_live_delivery_latency_seconds_bucket",
                        "http_server_requests_seconds_count",
                        "parley_stream_dead_lettered_total",
                        "parley_live_connections");

        Set<String> exported = new TreeSet<>();
        for (int port : new int[] {
            stack.ports.userHttp(),
            stack.ports.messageHttp(),
            stack.ports.notificationHttp(),
            stack.ports.frontendHttp()
        }) {
            metrics(port)
                    .lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank())
                    .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
        }
        assertThat(exported).as("metrics the services export").containsAll(queried);
    }

    private static String metrics(int port) {
        HttpJson.Reply reply = new HttpJson(port).get("/metrics", null);
        assertThat(reply.status()).isEqualTo(200);
        return reply.body();
    }

    /** A sample's value, or -1 when the series is not there (yet). */
    private static double value(String metrics, String series) {
        return metrics.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElse(-1);
    }
}
