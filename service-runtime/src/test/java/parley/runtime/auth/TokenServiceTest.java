package parley.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

class TokenServiceTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private final TokenService tokens = new TokenService(SECRET);

    @Test
    void aUserTokenIdentifiesTheUser() {
        IssuedToken issued = tokens.issueUser("uni@example.com");
        Principal p = tokens.verify(issued.token());
        assertThat(p).isEqualTo(new Principal("uni@example.com", Principal.Kind.USER));
        assertThat(issued.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void aTokenBelowItsAccountsVersionIsRevokedAndOnlyThatOne() {
        Revocations revocations = Revocations.local();
        TokenService checked = new TokenService(SECRET).revokedBy(revocations);
        String v1 = checked.issueUser("uni@example.com", 1).token();
        String unversioned = checked.issueUser("uni@example.com").token();
        String other = checked.issueUser("fc@example.com", 1).token();
        assertThat(checked.verified(v1).tokenVersion()).isEqualTo(1);

        revocations.raise("uni@example.com", 2, Instant.now());

        for (String revoked : new String[] {v1, unversioned}) {
            assertThatThrownBy(() -> checked.verify(revoked)).isInstanceOfSatisfying(ServiceException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                assertThat(e.getMessage()).contains("revoked").contains("log in again");
            });
        }
        assertThat(checked.verify(checked.issueUser("uni@example.com", 2).token())
                        .subject())
                .isEqualTo("uni@example.com");
        assertThat(checked.verify(other).subject()).isEqualTo("fc@example.com");
        assertThat(checked.verify(checked.issueService("uni@example.com").token())
                        .isService())
                .isTrue();
        // a version never goes down: an old event read late changes nothing
        revocations.raise("uni@example.com", 1, Instant.now());
        assertThatThrownBy(() -> checked.verify(v1)).isInstanceOf(ServiceException.class);
    }

    @Test
    void aServiceTokenIdentifiesAService() {
        Principal p = tokens.verify(tokens.issueService("message-svc").token());
        assertThat(p.isService()).isTrue();
        assertThat(p.mayActFor("anyone@example.com")).isTrue();
    }

    @Test
    void aUserMayActOnlyForThemselves() {
        Principal p = tokens.verify(tokens.issueUser("uni@example.com").token());
        assertThat(p.mayActFor("UNI@example.com")).isTrue();
        assertThat(p.mayActFor("fc@example.com")).isFalse();
    }

    @Test
    void aTokenFromAHostWhoseClockIsAFewSecondsAheadIsAccepted() {
        // issue 16, example 9: 1 s of skew between hosts gave 401
        Clock ahead = Clock.fixed(Instant.now().plusSeconds(20), ZoneOffset.UTC);
        String token = new TokenService(SECRET, Duration.ofHours(1), ahead)
                .issueUser("uni@example.com")
                .token();

        assertThat(tokens.verify(token).subject()).isEqualTo("uni@example.com");

        Clock farAhead = Clock.fixed(Instant.now().plusSeconds(120), ZoneOffset.UTC);
        String future = new TokenService(SECRET, Duration.ofHours(1), farAhead)
                .issueUser("uni@example.com")
                .token();
        assertThatThrownBy(() -> tokens.verify(future)).isInstanceOf(ServiceException.class);
    }

    @Test
    void anExpiredTokenIsRefused() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        String old = new TokenService(SECRET, Duration.ofHours(1), past)
                .issueUser("uni@example.com")
                .token();

        assertThatThrownBy(() -> tokens.verify(old))
                .isInstanceOfSatisfying(
                        ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessageContaining("expired");
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = tokens.issueUser("uni@example.com").token();
        String[] parts = token.split("\\.");
        String forgedPayload = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"iss\":\"parley\",\"sub\":\"fc@example.com\",\"typ\":\"user\",\"exp\":9999999999}"
                        .getBytes(StandardCharsets.UTF_8));
        String forged = parts[0] + "." + forgedPayload + "." + parts[2];

        assertThatThrownBy(() -> tokens.verify(forged))
                .isInstanceOf(ServiceException.class)
                .hasMessageContaining("not valid");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        TokenService other = new TokenService("another-secret-another-secret-!!".getBytes(StandardCharsets.UTF_8));
        String foreign = other.issueService("message-svc").token();

        assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(ServiceException.class);
    }

    @Test
    void aMissingTokenIsUnauthenticated() {
        assertThatThrownBy(() -> tokens.verify(null))
                .isInstanceOf(ServiceException.class)
                .hasMessageContaining("required");
        assertThatThrownBy(() -> tokens.verify("garbage")).isInstanceOf(ServiceException.class);
    }

    @Test
    void bearerHeadersAreParsedCaseInsensitively() {
        assertThat(TokenService.bearer("bearer abc")).contains("abc");
        assertThat(TokenService.bearer("Bearer  abc ")).contains("abc");
        assertThat(TokenService.bearer("Basic abc")).isEmpty();
        assertThat(TokenService.bearer(null)).isEmpty();
    }
}
