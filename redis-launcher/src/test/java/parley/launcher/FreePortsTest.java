package parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsLieBelowTheEphemeralRangeSoOutgoingConnectionsCannotTakeThem() {
        int ephemeralLow = FreePorts.ephemeralLow();
        for (int i = 0; i < 50; i++) {
            assertThat(FreePorts.next()).isBetween(10_000, ephemeralLow - 1);
        }
    }

    @Test
    void oneJvmNeverGetsTheSamePortTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(seen.add(FreePorts.next())).isTrue();
        }
    }

    @Test
    void aPortAServerListensOnIsNotFree() throws Exception {
        int port = FreePorts.next();
        assertThat(FreePorts.isFree(port)).isTrue();
        try (ServerSocket taken = new ServerSocket(port)) {
            assertThat(FreePorts.isFree(port)).isFalse();
        }
    }
}
