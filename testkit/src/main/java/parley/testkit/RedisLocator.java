package parley.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import parley.launcher.RedisServerProcess;

/** Finds or starts the Redis that {@link TestRedis} wraps. */
final class RedisLocator {
    private RedisLocator() {}

    static TestRedis locate() {
        List<String> tried = new ArrayList<>();
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            return TestRedis.fromUrl(url.trim(), "REDIS_URL");
        }
        tried.add("REDIS_URL is not set");

        if (dockerMayBeThere()) {
            try {
                if (DockerClientFactory.instance().isDockerAvailable()) {
                    return startContainer();
                }
                tried.add("Testcontainers found no working Docker engine");
            } catch (RuntimeException e) {
                tried.add("Testcontainers failed: " + e.getMessage());
            }
        } else {
            tried.add("no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)");
        }

        try {
            RedisServerProcess server = RedisServerProcess.start();
            return new TestRedis("127.0.0.1", server.port(), "redis-server");
        } catch (RedisServerProcess.UnavailableException e) {
            tried.add(e.getMessage());
        }
        throw new IllegalStateException("No Redis for the tests: "
                + String.join("; ", tried)
                + ". Install one (e.g. `apt-get install redis-server`), start Docker, or set REDIS_URL"
                + " to a disposable Redis (tests flush it).");
    }

    private static boolean dockerMayBeThere() {
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    }

    @SuppressWarnings("resource") // stopped by the Ryuk reaper when the JVM ends
    private static TestRedis startContainer() {
        GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
        redis.start();
        return new TestRedis(redis.getHost(), redis.getMappedPort(6379), "testcontainers");
    }
}
