package parley.user.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import parley.runtime.error.ServiceException;

/** UserAccounts' pure password rule: 8 to 72 bytes of UTF-8 (what bcrypt can hash). No Redis. */
class UserAccountsRulesTest {
    @Test
    void aPasswordOf8To72BytesIsAccepted() {
        assertThat(UserAccounts.password("12345678")).isEqualTo("12345678");
        assertThat(UserAccounts.password("p".repeat(PasswordHasher.MAX_BYTES))).hasSize(72);
    }

    @Test
    void aPasswordIsMeasuredInBytesNotCharacters() {
        String thirtySixTwoByteChars = "ñ".repeat(36); // 72 bytes
        assertThat(UserAccounts.password(thirtySixTwoByteChars)).isEqualTo(thirtySixTwoByteChars);
        assertThatThrownBy(() -> UserAccounts.password("ñ".repeat(37))) // 74 bytes
                .isInstanceOf(ServiceException.class)
                .hasMessageContaining("8 to 72 bytes");
    }

    @Test
    void aMissingOrShortPasswordIsRefusedWithTheRule() {
        assertThatThrownBy(() -> UserAccounts.password(null)).hasMessage("password is required");
        assertThatThrownBy(() -> UserAccounts.password("")).hasMessage("password is required");
        assertThatThrownBy(() -> UserAccounts.password("1234567")).hasMessageContaining("8 to 72 bytes");
    }
}
