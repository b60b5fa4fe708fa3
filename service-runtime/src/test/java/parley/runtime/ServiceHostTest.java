package parley.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import parley.runtime.auth.TokenService;
import parley.runtime.metrics.Metrics;

/** A failed start closes what the service had created; a good one closes it on shutdown, newest first. */
class ServiceHostTest {
    private static final TokenService TOKENS =
            new TokenService("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private final List<String> closed = new ArrayList<>();

    @Test
    void aStartThatFailsClosesEverythingOwnedSoFarAndRunsTheDrains() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> ServiceHost.start("test-svc", TOKENS, Metrics.registry("test-svc"), host -> {
                        host.owns(() -> closed.add("redis"));
                        host.owns(() -> closed.add("consumer"));
                        host.drain(() -> closed.add("drain"));
                        host.ports(taken.getLocalPort(), 0); // the HTTP port is taken: the start fails
                    }))
                    .isInstanceOf(RuntimeException.class);
        }
        assertThat(closed).containsExactly("drain", "consumer", "redis");
    }

    @Test
    void aFailureInSetupClosesWhatWasCreatedBeforeIt() {
        assertThatThrownBy(() -> ServiceHost.start("test-svc", TOKENS, Metrics.registry("test-svc"), host -> {
                    host.owns(() -> closed.add("redis"));
                    throw new IllegalStateException("could not build the store");
                }))
                .hasMessage("could not build the store");
        assertThat(closed).containsExactly("redis");
    }

    @Test
    void aRunningServiceClosesWhatItOwnsNewestFirst() {
        ServiceHost host = ServiceHost.start("test-svc", TOKENS, Metrics.registry("test-svc"), h -> {
            h.owns(() -> closed.add("redis"));
            h.owns(() -> closed.add("consumer"));
            h.ports(0, 0);
        });
        host.close();
        assertThat(closed).containsExactly("consumer", "redis");
    }
}
