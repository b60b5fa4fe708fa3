package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static parley.testkit.HttpJson.obj;

import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.e2e.OtlpReceiver.ReceivedSpan;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

/**
 * One message, one trace: the four services as processes export OTLP/HTTP to a real receiver, and
 * the spans of one send form a single trace from message-svc's request through the stream entry,
 * notification-svc's consumer and create.lua, the push, frontend-svc's receipt and the write on
 * the receiver's live SSE connection.
 */
@ExtendWith(RedisExtension.class)
class TracingTest {
    private static final int SERVER = 2;
    private static final int CONSUMER = 5;
    private final TestRedis redis;
    private OtlpReceiver receiver;
    private ProcessStack stack;
    private SseClient live;

    TracingTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() throws Exception {
        receiver = new OtlpReceiver();
        stack = new ProcessStack(
                redis,
                Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                        "OTEL_BSP_SCHEDULE_DELAY", "100",
                        "OTEL_TRACES_SAMPLER", "always_on",
                        "LOG_LEVEL", "DEBUG",
                        "CONSUMER_CLAIM_IDLE_MS", "1000"));
    }

    @AfterEach
    void stop() {
        if (live != null) {
            live.close();
        }
        if (stack != null) {
            stack.close();
        }
        receiver.close();
    }

    @Test
    void oneSendIsOneTraceAcrossMessageNotificationAndFrontendServicesDownToTheLiveWrite() throws Exception {
        String ana = stack.register("ana@example.com");
        String bob = stack.register("bob@example.com");
        live = new SseClient(stack.ports.frontendHttp(), bob, null);
        Thread.sleep(500); // the session joined its channel (a send before would only be replayed)

        sendToBob(ana, "traced");
        assertThat(live.next("notification", Duration.ofSeconds(30))).isNotNull();

        ReceivedSpan write = awaitSpan("live write");
        String trace = write.traceId();
        await().atMost(Duration.ofSeconds(10))
                .alias("the request's span in the live write's trace; received: " + receiver.spans)
                .until(() -> find(s -> s.traceId().equals(trace) && s.name().equals("POST /messages"))
                        .isPresent());
        List<ReceivedSpan> chain = ancestry(write);
        List<String> path =
                chain.stream().map(s -> s.service() + ": " + s.name()).toList();

        assertThat(chain.get(chain.size() - 1).name()).as(path.toString()).isEqualTo("POST /messages");
        assertThat(chain.get(chain.size() - 1).kind()).isEqualTo(SERVER);
        assertThat(path)
                .as("from the live write up to the request")
                .containsSubsequence(
                        "frontend-svc: live write",
                        "frontend-svc: receive push",
                        "notification-svc: process events:messages",
                        "message-svc: POST /messages");
        assertThat(chain)
                .filteredOn(s -> s.name().equals("process events:messages"))
                .allMatch(s -> s.kind() == CONSUMER);
        assertThat(receiver.spans)
                .filteredOn(s -> s.traceId().equals(trace))
                .extracting(ReceivedSpan::name)
                .contains("send.lua", "create.lua", "parley.user.v1.UserService/CheckUserExists");
        Path consumerLog = stack.get("notification-svc").log();
        assertThat(Files.readAllLines(consumerLog))
                .as("a log line written while handling the entry names its trace (%s)", consumerLog)
                .anyMatch(line -> line.contains(" trace_id=" + trace + " span_id=") && line.contains("handling"));
    }

    @Test
    void anEntryReclaimedFromACrashedConsumerStaysInTheMessagesTrace() throws Exception {
        String ana = stack.register("ana@example.com");
        String bob = stack.register("bob@example.com");
        live = new SseClient(stack.ports.frontendHttp(), bob, null);
        Thread.sleep(500); // the session joined its channel
        // one notification delivered first: the connection's replay (a call to notification-svc)
        // is over, so killing notification-svc cannot end the session. It may have come by that
        // replay (no live write span) on a loaded machine, so its trace is known from its request
        sendToBob(ana, "before the crash");
        assertThat(live.next("notification", Duration.ofSeconds(30))).isNotNull();
        String before = awaitSpan("POST /messages").traceId();
        stack.get("notification-svc").kill();

        sendToBob(ana, "reclaimed");
        // a consumer reads the entry and dies before acknowledging it
        try (StatefulRedisConnection<String, String> db = redis.connect(1)) {
            List<StreamMessage<String, String>> taken = db.sync()
                    .xreadgroup(
                            Consumer.from("notification-svc", "crashed"), StreamOffset.lastConsumed("events:messages"));
            assertThat(taken).hasSize(1);
            stack.restart("notification-svc"); // reads only new entries: this one it must reclaim
            assertThat(live.next("notification", Duration.ofSeconds(30))).isNotNull();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> db.sync()
                                    .xpending("events:messages", "notification-svc")
                                    .getCount()
                            == 0);
        }

        ReceivedSpan write = awaitSpan("live write", s -> !s.traceId().equals(before));
        assertThat(path(write))
                .containsSubsequence(
                        "frontend-svc: live write",
                        "notification-svc: process events:messages",
                        "message-svc: POST /messages");
    }

    @Test
    void aPushRetriedUntilFrontendSvcIsBackStaysInTheMessagesTrace() throws Exception {
        String ana = stack.register("ana@example.com");
        stack.register("bob@example.com");
        stack.get("frontend-svc").kill();

        sendToBob(ana, "retried");
        await().atMost(Duration.ofSeconds(30))
                .alias("notification-svc retries the push while frontend-svc is down")
                .until(() -> stack.notifications()
                        .get("/metrics", null)
                        .body()
                        .matches("(?s).*parley_push_retries_total\\{[^}]*\\} [1-9].*"));
        stack.restart("frontend-svc");

        ReceivedSpan received = awaitSpan("receive push");
        assertThat(path(received))
                .containsSubsequence(
                        "frontend-svc: receive push",
                        "notification-svc: process events:messages",
                        "message-svc: POST /messages");
    }

    private void sendToBob(String senderToken, String content) {
        assertThat(stack.messages()
                        .post("/messages", obj("receiver_email", "bob@example.com", "content", content), senderToken)
                        .status())
                .isEqualTo(201);
    }

    private ReceivedSpan awaitSpan(String name) {
        return awaitSpan(name, s -> true);
    }

    private ReceivedSpan awaitSpan(String name, Predicate<ReceivedSpan> which) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> find(s -> s.name().equals(name) && which.test(s)), Optional::isPresent)
                .orElseThrow();
    }

    /** The span and its parents up to the root, as {@code service: name}. */
    private List<String> path(ReceivedSpan span) {
        return ancestry(span).stream().map(s -> s.service() + ": " + s.name()).toList();
    }

    private Optional<ReceivedSpan> find(Predicate<ReceivedSpan> p) {
        return receiver.spans.stream().filter(p).findFirst();
    }

    /** The span and its parents, up to the root (every parent must have arrived). */
    private List<ReceivedSpan> ancestry(ReceivedSpan span) {
        List<ReceivedSpan> chain = new ArrayList<>(List.of(span));
        ReceivedSpan at = span;
        while (!at.parentSpanId().isEmpty()) {
            String parent = at.parentSpanId();
            String trace = at.traceId();
            at = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> find(
                                    s -> s.traceId().equals(trace) && s.spanId().equals(parent)),
                            Optional::isPresent)
                    .orElseThrow();
            chain.add(at);
        }
        return chain;
    }
}
