package parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the processes under load, read from {@code /proc/<pid>/stat} (user + system
 * clock ticks) before and after a run, reported as milliseconds of CPU per message per process.
 */
final class ProcCpu {
    private static final double MS_PER_TICK = 10.0; // USER_HZ is 100 on Linux

    /** Above this share of the CPU spent compiling, a run is reported as not warm yet. */
    static final double WARM_JIT_SHARE = 0.10;

    /**
     * @param ticks each process's CPU time
     * @param jitTicks the part of it its JIT compiler threads took (JVMs only)
     */
    record Sample(Map<String, Long> ticks, Map<String, Long> jitTicks) {}

    private ProcCpu() {}

    static Sample sample(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        Map<String, Long> jit = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long t = ticks(pid);
            if (t >= 0) {
                ticks.put(name, t);
                jit.put(name, jitTicks(pid));
            }
        });
        return new Sample(ticks, jit);
    }

    /**
     * The share of the measured processes' CPU that went to JIT compilation between two samples (0
     * to 1), or -1 when it cannot be told. On a small machine the compilers take a large share of it
     * for the first minute of a load: a run measured then is not a warm one.
     */
    static double jitShare(Sample before, Sample after) {
        if (before == null || after == null) {
            return -1;
        }
        long all = 0;
        long jit = 0;
        for (var e : after.ticks().entrySet()) {
            Long was = before.ticks().get(e.getKey());
            if (was != null) {
                all += e.getValue() - was;
                // compiler threads come and go (the JVM sizes their number): one gone takes its
                // ticks with it, so a drop counts as none rather than as a negative figure
                jit += Math.max(
                        0,
                        after.jitTicks().getOrDefault(e.getKey(), 0L)
                                - before.jitTicks().getOrDefault(e.getKey(), 0L));
            }
        }
        return all > 0 ? Math.min(1.0, (double) jit / all) : -1;
    }

    /** CPU ticks of a process's JIT compiler threads (HotSpot's "C1/C2 CompilerThread…"), 0 for none. */
    static long jitTicks(long pid) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                        sum += statTicks(Files.readString(task.resolve("stat")));
                    }
                } catch (IOException | RuntimeException gone) {
                    // a thread that ended while we looked
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return sum;
    }

    static Map<String, Double> perMessage(Sample before, Sample after, long messages) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (before == null || after == null || messages == 0) {
            return out;
        }
        double total = 0;
        for (var e : after.ticks().entrySet()) {
            Long was = before.ticks().get(e.getKey());
            if (was != null) {
                double ms = (e.getValue() - was) * MS_PER_TICK / messages;
                out.put(e.getKey(), Math.round(ms * 1000) / 1000.0);
                total += ms;
            }
        }
        out.put("total", Math.round(total * 1000) / 1000.0);
        return out;
    }

    /** Resident memory of each process in KiB (VmRSS), or absent when it cannot be read. */
    static Map<String, Long> rssKb(Map<String, Long> pids) {
        Map<String, Long> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        out.put(name, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or gone
            }
        });
        return out;
    }

    /** utime + stime of a process, or -1 when it cannot be read (not Linux, or gone). */
    static long ticks(long pid) {
        try {
            return statTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime from a {@code stat} line of a process or thread. */
    private static long statTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the line
    }

    /** The first process whose command line contains {@code needle}, or -1. */
    static long find(String needle) {
        return find(needle, "");
    }

    /** The first process whose command line contains both strings, or -1. */
    static long find(String needle, String also) {
        var all = findAll(needle, also);
        return all.isEmpty() ? -1 : all.get(0);
    }

    /** Every process whose command line contains both strings, oldest (lowest pid) first. */
    static List<Long> findAll(String needle, String also) {
        List<Long> found = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains(needle) && cmd.contains(also)) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException gone) {
                    // a process that ended while we looked
                }
            }
        } catch (IOException e) {
            return found;
        }
        found.sort(null);
        return found;
    }
}
