package parley.user.domain;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/** bcrypt (salted, slow) from a maintained library. Passwords are 8 to 72 bytes (bcrypt's limit). */
public final class PasswordHasher {
    /** bcrypt's limit: longer passwords are refused at registration (400) and never match at login. */
    public static final int MAX_BYTES = 72;

    private final int cost;
    // Verified against when the account does not exist, so both cases take the same time.
    private final String decoy;

    public PasswordHasher(int cost) {
        this.cost = cost;
        this.decoy = hash("decoy-password-never-matches");
    }

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
    }

    /** False for a password over {@link #MAX_BYTES}: no account has one (bcrypt itself would refuse it). */
    public boolean matches(String password, String hash) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return false;
        }
        return BCrypt.verifyer()
                .verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8))
                .verified;
    }

    /** Spends the same time as a real check, for unknown accounts. */
    public void burn(String password) {
        matches(password, decoy);
    }
}
