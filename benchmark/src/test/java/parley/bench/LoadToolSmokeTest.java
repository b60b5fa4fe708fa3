package parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Only checks that the tool runs briefly and reports sane numbers; real runs are in docs/benchmark.md. */
@ExtendWith(RedisExtension.class)
class LoadToolSmokeTest {

  @Test
  void aShortInProcessRunReportsSaneNumbers(TestRedis redis) throws Exception {
    // the in-process system uses the test Redis (SystemUnderTest reads REDIS_URL through LocalRedis)
    System.setProperty("parley.bench.redis", redis.url(0));
    BenchOptions o = new BenchOptions(true, "127.0.0.1", null, 2, 2, Duration.ofSeconds(2), Duration.ofSeconds(1), 50, Duration.ofSeconds(1), Path.of("target/smoke.json"));

    Map<String, Object> report = LoadTool.run(o);
    System.out.println(LoadTool.table(report));

    assertThat((Long) report.get("sent")).isPositive();
    assertThat(report.get("exactly_once")).isEqualTo(true);
    assertThat((Double) report.get("sends_per_s")).isPositive();
    assertThat((Double) report.get("redis_ceiling_messages_per_s")).isGreaterThan((Double) report.get("sends_per_s"));
    assertThat((Double) report.get("fraction_of_ceiling")).isBetween(0.0, 1.0);
  }
}
