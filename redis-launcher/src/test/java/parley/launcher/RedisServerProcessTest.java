package parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedisServerProcessTest {

    @Test
    void aServerLeftToItsOwnerStillAnswersWhileTheOwnersExitHookRunsAndIsStoppedByIt() throws Exception {
        String out = probe("owner");

        assertThat(out).contains("answered during the exit: true");
        assertThat(listening(port(out))).isFalse();
    }

    @Test
    void otherwiseItIsStoppedByItselfWhenTheJvmExitsAlongsideEveryOtherHook() throws Exception {
        String out = probe("alone");

        // its own hook ran with the other one: gone before that one looked, and gone after the exit
        assertThat(out).contains("answered during the exit: false");
        assertThat(listening(port(out))).isFalse();
    }

    private static String probe(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(
                        java, "-cp", System.getProperty("java.class.path"), ShutdownOrderProbe.class.getName(), mode))
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static int port(String out) {
        Matcher m = Pattern.compile("port (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
