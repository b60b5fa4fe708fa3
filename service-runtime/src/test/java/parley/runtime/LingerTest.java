package parley.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LingerTest {
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void aBurstOfArmsRunsTheActionOnceAndAnArmAfterItRunsSchedulesItAgain() {
        try (Linger linger = new Linger("linger-test", Duration.ofSeconds(1), runs::incrementAndGet)) {
            for (int i = 0; i < 100; i++) {
                assertThat(linger.arm()).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
            assertThat(linger.arm()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
        }
    }

    @Test
    void aClosedLingerSchedulesNothingAndSaysSo() {
        Linger linger = new Linger("linger-test", Duration.ofMillis(1), runs::incrementAndGet);
        linger.close();
        assertThat(linger.arm()).isFalse();
        assertThat(runs).hasValue(0);
    }
}
