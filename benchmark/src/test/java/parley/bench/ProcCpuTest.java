package parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcCpuTest {

    @Test
    void theJitShareIsTheCompilersPartOfEveryMeasuredProcessesCpu() {
        var before =
                new ProcCpu.Sample(Map.of("a", 100L, "b", 50L, "redis", 10L), Map.of("a", 20L, "b", 5L, "redis", 0L));
        var after =
                new ProcCpu.Sample(Map.of("a", 300L, "b", 150L, "redis", 110L), Map.of("a", 80L, "b", 5L, "redis", 0L));

        // 400 ticks in all, 60 of them compiling
        assertThat(ProcCpu.jitShare(before, after)).isEqualTo(0.15);
    }

    @Test
    void aCompilerThreadThatEndedCountsAsNoCompilingNotAsANegativeShare() {
        var before = new ProcCpu.Sample(Map.of("a", 100L), Map.of("a", 40L));
        var after = new ProcCpu.Sample(Map.of("a", 200L), Map.of("a", 10L));

        assertThat(ProcCpu.jitShare(before, after)).isZero();
        assertThat(ProcCpu.jitShare(null, after)).isEqualTo(-1);
    }

    @Test
    void thisJvmsCompilerThreadsAreFoundAndTakePartOfItsCpu() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
        long pid = ProcessHandle.current().pid();

        long jit = ProcCpu.jitTicks(pid);
        assertThat(jit).isBetween(0L, ProcCpu.ticks(pid));
        assertThat(ProcCpu.jitTicks(Long.MAX_VALUE)).isZero(); // no such process
    }
}
