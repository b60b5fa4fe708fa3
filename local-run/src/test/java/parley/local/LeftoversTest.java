package parley.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that was killed left processes behind: the next run stops them, and only them. */
class LeftoversTest {
    @TempDir
    Path dir;

    @Test
    void processesAnEarlierRunStartedAreStoppedAndTheListCleared() throws Exception {
        Process leftover = new ProcessBuilder("sleep", "300").start();
        Path file = dir.resolve("pids");
        new Leftovers(file).remember(leftover.pid());

        new Leftovers(file).stopAll();

        assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void aRecycledPidIsLeftAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "300").start();
        try {
            Path file = dir.resolve("pids");
            Files.writeString(file, other.pid() + " 2001-01-01T00:00:00Z\n"); // same pid, another process

            new Leftovers(file).stopAll();

            assertThat(other.isAlive()).isTrue();
        } finally {
            other.destroyForcibly();
        }
    }
}
