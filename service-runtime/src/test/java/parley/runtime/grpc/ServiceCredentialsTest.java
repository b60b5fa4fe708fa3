package parley.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;

class ServiceCredentialsTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    /** A clock the test moves. */
    private static final class Moving extends Clock {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aServiceTokenNamesItsServiceLivesAnHourAndIsRenewedAtHalfLife() {
        Moving clock = new Moving();
        TokenService tokens = new TokenService(SECRET, Duration.ofHours(12), clock);
        ServiceCredentials credentials = new ServiceCredentials(tokens, "message-svc", clock);

        String first = credentials.token();
        TokenService.Verified verified = tokens.verified(first);
        assertThat(verified.principal()).isEqualTo(new Principal("message-svc", Principal.Kind.SERVICE));
        assertThat(verified.expiresAt()).isEqualTo(clock.now.plus(TokenService.SERVICE_TTL));

        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(credentials.token()).isEqualTo(first);
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        String second = credentials.token();
        assertThat(second).isNotEqualTo(first);
        assertThat(tokens.verified(second).expiresAt()).isEqualTo(clock.now.plus(TokenService.SERVICE_TTL));
    }
}
