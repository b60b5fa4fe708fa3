package parley.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The processes a local run started, listed in {@code .run/pids} (one "pid start-instant" per
 * line) while it runs. A run that was killed (SIGKILL, a closed terminal) cannot stop its
 * children; its services notice by themselves (they watch their parent), and the next run stops
 * whatever is left, such as the redis-server, before it starts. The start instant guards against
 * a recycled pid.
 */
final class Leftovers {
    private final Path file;

    Leftovers(Path file) {
        this.file = file;
    }

    /** Stops every listed process that is still the one that was started. */
    void stopAll() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<ProcessHandle> alive = Files.readAllLines(file).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .map(Leftovers::sameProcess)
                .flatMap(Optional::stream)
                .toList();
        for (ProcessHandle p : alive) {
            System.out.println("stopping process " + p.pid() + " left over from an earlier run ("
                    + p.info().command().orElse("?") + ")");
            p.destroy();
        }
        for (ProcessHandle p : alive) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception notInTime) {
                p.destroyForcibly();
            }
        }
        Files.deleteIfExists(file); // an earlier run stopping at this moment may have removed it
    }

    private static Optional<ProcessHandle> sameProcess(String line) {
        String[] parts = line.split(" ", 2);
        try {
            long pid = Long.parseLong(parts[0]);
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> parts.length < 2
                            || p.info()
                                    .startInstant()
                                    .map(i -> i.toString().equals(parts[1]))
                                    .orElse(false));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    void remember(long pid) {
        if (pid < 0) {
            return;
        }
        String started = ProcessHandle.of(pid)
                .flatMap(p -> p.info().startInstant())
                .map(Object::toString)
                .orElse("");
        try {
            Files.writeString(
                    file,
                    pid + (started.isEmpty() ? "" : " " + started) + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clean stop: nothing is left over. */
    void forget() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing to clean up next time either way
        }
    }
}
