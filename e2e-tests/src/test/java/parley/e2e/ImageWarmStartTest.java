package parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.launcher.FreePorts;

/**
 * The images' warm start: each Dockerfile records an AOT cache (or, before JDK 25, a CDS archive)
 * with deploy/aot-train, and its entrypoint loads it. No Docker engine is needed: the script is
 * run here as the image build runs it.
 */
class ImageWarmStartTest {
    private static final Path ROOT = ServiceVariables.ROOT;
    private static final List<String> SERVICES = List.of("user-svc", "message-svc", "notification-svc", "frontend-svc");

    @Test
    void eachImageTrainsWithItsEntrypointsOwnJvmOptionsAndLoadsTheCache() throws Exception {
        Pattern train =
                Pattern.compile("/app/aot-train /app/(\\S+)\\.jar /app/(\\S+) -XX:MaxRAM=4g \\\\\\s+([^\\n]+?) \\\\");
        Pattern entry = Pattern.compile("ENTRYPOINT \\[(.+?)\\]", Pattern.DOTALL);
        for (String s : SERVICES) {
            String dockerfile = Files.readString(ROOT.resolve(s).resolve("Dockerfile"));
            Matcher t = train.matcher(dockerfile);
            assertThat(t.find()).as(s + ": an aot-train run").isTrue();
            assertThat(t.group(1)).isEqualTo(s);
            assertThat(t.group(2)).isEqualTo(s + ".aot");
            Matcher e = entry.matcher(dockerfile);
            assertThat(e.find()).as(s + ": an entrypoint").isTrue();
            List<String> args = Arrays.stream(e.group(1).split(","))
                    .map(a -> a.replace("\\", "").trim().replace("\"", ""))
                    .toList();
            assertThat(args).contains("-XX:AOTCache=/app/" + s + ".aot");
            List<String> jvmOptions = new ArrayList<>(args.subList(1, args.indexOf("-jar")));
            jvmOptions.remove("-XX:AOTCache=/app/" + s + ".aot");
            assertThat(List.of(t.group(3).trim().split("\\s+")))
                    .as(s + ": the training run's JVM options are the entrypoint's")
                    .isEqualTo(jvmOptions);
        }
    }

    @Test
    void theTrainingRunRecordsACacheTheServiceStartsWith(@TempDir Path dir) throws Exception {
        Path jar = ROOT.resolve("user-svc/target/user-svc.jar");
        Path cache = dir.resolve("user-svc.aot");
        ProcessBuilder run = new ProcessBuilder(
                        ROOT.resolve("deploy/aot-train").toString(),
                        jar.toString(),
                        cache.toString(),
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile());
        // the JDK running the tests is the one the script finds as java
        run.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        run.environment().put("AOT_TRAIN_REDIS_PORT", Integer.toString(FreePorts.next()));
        run.environment().put("AOT_TRAIN_HTTP_PORT", Integer.toString(FreePorts.next()));
        run.environment().put("AOT_TRAIN_GRPC_PORT", Integer.toString(FreePorts.next()));
        Process p = run.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the training run ends").isTrue();
        assertThat(p.exitValue())
                .as("aot-train: %s", Files.readString(dir.resolve("train.log")))
                .isZero();
        assertThat(Files.size(cache)).isGreaterThan(1_000_000);

        // the cache is one the JVM takes: asked to insist on it, a JVM that cannot use it fails
        String option = Runtime.version().feature() >= 25 ? "-XX:AOTCache=" + cache : "-XX:SharedArchiveFile=" + cache;
        String strict = Runtime.version().feature() >= 25 ? "-XX:AOTMode=on" : "-Xshare:on";
        ProcessBuilder start = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED",
                        option,
                        strict,
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true);
        start.environment().remove("AUTH_SECRET"); // the service stops at once on its missing config
        Process java = start.start();
        String out = new String(java.getInputStream().readAllBytes());
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContainIgnoringCase("unable to").contains("configuration error");
    }
}
