package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import parley.launcher.FreePorts;
import parley.local.ServiceProcess;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** What ./run.sh relies on: services that stop with their launcher, and builds only on a change. */
@ExtendWith(RedisExtension.class)
class LauncherTest {
    private final Path root =
            Path.of(System.getProperty("parley.root", "..")).toAbsolutePath().normalize();
    private final TestRedis redis;

    @TempDir
    Path dir;

    LauncherTest(TestRedis redis) {
        this.redis = redis;
    }

    @Test
    void aServiceStopsByItselfWhenTheProcessThatStartedItIsKilled() throws Exception {
        Process launcher = new ProcessBuilder("sleep", "300").start(); // stands in for a launcher killed with -9
        Map<String, String> env = new LinkedHashMap<>();
        int http = FreePorts.next();
        env.put("REDIS_URL", redis.url(0));
        env.put("HTTP_PORT", Integer.toString(http));
        env.put("GRPC_PORT", Integer.toString(FreePorts.next()));
        env.put("AUTH_SECRET", ProcessStack.SECRET);
        env.put("BCRYPT_COST", "4");
        env.put("PARLEY_PARENT_PID", Long.toString(launcher.pid()));
        ServiceProcess service = new ServiceProcess(root, "user-svc", http, env, dir).start();
        try {
            service.awaitReady(Duration.ofSeconds(60));

            launcher.destroyForcibly().waitFor();

            await().atMost(Duration.ofSeconds(20)).until(() -> !service.alive());
            assertThat(Files.readString(dir.resolve("user-svc.log"))).contains("is gone; stopping");
        } finally {
            service.kill();
        }
    }

    private int needsBuild(Path tree) throws Exception {
        Process p = new ProcessBuilder(
                        "bash", root.resolve("scripts/needs-build").toString(), tree.toString())
                .inheritIO()
                .start();
        return p.waitFor();
    }

    @Test
    void runShRebuildsOnlyWhenASourceIsNewerThanTheJars() throws Exception {
        Instant built = Instant.now().minusSeconds(60);
        Path source =
                Files.createDirectories(dir.resolve("user-svc/src/main/java/x")).resolve("A.java");
        Files.writeString(source, "class A {}");
        Files.setLastModifiedTime(source, FileTime.from(built.minusSeconds(60)));
        for (String module : List.of("user-svc", "message-svc", "notification-svc", "frontend-svc", "local-run")) {
            Path jar = Files.createDirectories(dir.resolve(module + "/target")).resolve(module + ".jar");
            Files.writeString(jar, "jar");
            Files.setLastModifiedTime(jar, FileTime.from(built));
        }
        // generated sources are written after the jars' inputs: not a change
        Path generated = Files.createDirectories(dir.resolve("benchmark/target/generated-sources/x"))
                .resolve("G.java");
        Files.writeString(generated, "class G {}");

        assertThat(needsBuild(dir)).as("nothing changed").isEqualTo(1);

        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        assertThat(needsBuild(dir)).as("a source changed").isZero();

        Files.setLastModifiedTime(source, FileTime.from(built.minusSeconds(60)));
        Files.delete(dir.resolve("local-run/target/local-run.jar"));
        assertThat(needsBuild(dir)).as("a jar is missing").isZero();
    }
}
