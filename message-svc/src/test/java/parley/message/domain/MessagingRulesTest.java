package parley.message.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import parley.runtime.auth.Principal;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

/** Messaging's pure rules: who may read whose messages, and what an idempotency key may be. No Redis. */
class MessagingRulesTest {
    private static final Principal ANA = new Principal("ana@example.com", Principal.Kind.USER);
    private static final Principal SERVICE = new Principal("frontend-svc", Principal.Kind.SERVICE);

    @Test
    void aUserReadsTheirOwnMessagesWhateverTheEmailsCase() {
        assertThat(Messaging.self(ANA, " Ana@Example.com ")).isEqualTo("ana@example.com");
    }

    @Test
    void aUserMayNotReadSomeoneElsesMessagesButAServiceMay() {
        assertThatThrownBy(() -> Messaging.self(ANA, "bob@example.com"))
                .isInstanceOfSatisfying(
                        ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        assertThat(Messaging.self(SERVICE, "bob@example.com")).isEqualTo("bob@example.com");
    }

    @Test
    void anIdempotencyKeyIsOneTo128PrintableAsciiCharactersOrNone() {
        assertThat(Messaging.idempotencyKey(null)).isNull();
        assertThat(Messaging.idempotencyKey("")).isNull();
        assertThat(Messaging.idempotencyKey("retry-7f3a")).isEqualTo("retry-7f3a");
        assertThat(Messaging.idempotencyKey("k".repeat(128))).hasSize(128);
        for (String bad : new String[] {"k".repeat(129), "has space", "tab\t", "ñ"}) {
            assertThatThrownBy(() -> Messaging.idempotencyKey(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }
}
