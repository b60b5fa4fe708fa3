package parley.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmOptionsTest {
    @Test
    void withoutParleyJvmOptsTheServicesRunSerialGcIn256MiB() {
        assertThat(ServiceProcess.jvmOptions(null))
                .containsExactly(
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:MaxTenuringThreshold=3",
                        "--enable-native-access=ALL-UNNAMED");
        assertThat(ServiceProcess.jvmOptions("  ")).isEqualTo(ServiceProcess.jvmOptions(null));
    }

    @Test
    void optionsAreAddedAfterTheDefaultsAndACollectorNamedThereReplacesSerialGc() {
        assertThat(ServiceProcess.jvmOptions(" -Xlog:gc  -Xmx512m "))
                .containsExactly(
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:MaxTenuringThreshold=3",
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xlog:gc",
                        "-Xmx512m"); // the last -Xmx wins
        assertThat(ServiceProcess.jvmOptions("-XX:+UseZGC"))
                .containsExactly("-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC");
    }
}
