package parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Only checks that the tool runs briefly and reports sane numbers; real runs are in docs/benchmark.md. */
@ExtendWith(RedisExtension.class)
class LoadToolSmokeTest {

    @Test
    @SuppressWarnings("unchecked")
    void aShortInProcessRunOverHttpAndSseReportsSaneNumbers(TestRedis redis) throws Exception {
        // the in-process system uses the test Redis (through the parley.bench.redis property)
        System.setProperty("parley.bench.redis", redis.url(0));
        BenchOptions o = new BenchOptions(
                true,
                "127.0.0.1",
                null,
                2,
                2,
                64,
                false,
                true,
                0,
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                50,
                Duration.ofSeconds(1),
                Duration.ofSeconds(15),
                Path.of("target/smoke.json"),
                1);

        Map<String, Object> report = LoadTool.run(o);
        System.out.println(LoadTool.table(report));

        assertThat((Long) report.get("sent")).isPositive();
        assertThat(report.get("exactly_once")).isEqualTo(true);
        assertThat((Double) report.get("sends_per_s")).isPositive();
        assertThat((Double) report.get("redis_ceiling_messages_per_s"))
                .isGreaterThan((Double) report.get("sends_per_s"));
        assertThat((Double) report.get("fraction_of_ceiling")).isBetween(0.0, 1.0);
        assertThat((Double) report.get("jit_share_of_cpu")).isBetween(0.0, 1.0);
        // the split at the stream: every notification counted in both parts, each within the whole
        Map<String, Object> whole = (Map<String, Object>) report.get("end_to_end_ms");
        for (String part : List.of("to_stream_ms", "stream_to_receiver_ms")) {
            Map<String, Object> p = (Map<String, Object>) report.get(part);
            assertThat(p.get("count")).as(part).isEqualTo(whole.get("count"));
            assertThat((Double) p.get("p50")).as(part).isBetween(0.0, (Double) whole.get("max") + 1.0);
        }
    }

    @Test
    void anOverloadIsWorkedOffAfterTheLoadStopsWithNothingLostOrDoubled(TestRedis redis) throws Exception {
        // flat out into a system whose push window is tiny, so notification-svc must push back on
        // its consumer: the backlog waits in the stream, then drains once the load stops
        System.setProperty("parley.bench.redis", redis.url(0));
        BenchOptions o = new BenchOptions(
                true,
                "127.0.0.1",
                null,
                32,
                2,
                1024,
                true,
                false,
                0,
                Duration.ofSeconds(3),
                Duration.ZERO,
                0,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Path.of("target/overload.json"),
                1);
        Map<String, Object> report;
        try (SystemUnderTest sut = SystemUnderTest.inProcess(
                Map.of("PUSH_WINDOW", "20", "PUSH_BATCH_SIZE", "5", "CONSUMER_BATCH_SIZE", "10"))) {
            report = LoadTool.run(o, sut);
        }
        System.out.println(LoadTool.table(report));

        assertThat((Long) report.get("sent")).isPositive();
        assertThat(report.get("errors")).isEqualTo(0L);
        assertThat(report.get("subscribe_errors")).isEqualTo(0L);
        assertThat(report.get("duplicates")).isEqualTo(0L);
        assertThat(report.get("missing")).isEqualTo(0L);
    }
}
