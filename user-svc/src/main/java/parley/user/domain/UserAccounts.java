package parley.user.domain;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import parley.runtime.auth.IssuedToken;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;

/** The account rules: registration, login, lookup, own-account changes. */
public final class UserAccounts {
    public static final int MAX_NAME = 100;

    private final UserStore store;
    private final PasswordHasher hasher;
    private final LoginLimiter limiter;
    private final TokenService tokens;
    private final Revocations revocations;
    private final Clock clock;

    /**
     * @param revocations told at once when a write revokes tokens, so that this instance refuses
     *     them from its next request (the others learn it from events:users)
     */
    public UserAccounts(
            UserStore store,
            PasswordHasher hasher,
            LoginLimiter limiter,
            TokenService tokens,
            Revocations revocations,
            Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.limiter = limiter;
        this.tokens = tokens;
        this.revocations = revocations;
        this.clock = clock;
    }

    public User register(String name, String email, String password) {
        String n = Validation.text("name", name, MAX_NAME);
        String e = Validation.email("email", email);
        String p = password(password);
        StoredUser user = new StoredUser(n, e, hasher.hash(p), clock.instant().truncatedTo(ChronoUnit.MILLIS));
        long version = store.create(user);
        if (version < 0) {
            throw new ServiceException(ErrorCode.ALREADY_EXISTS, "a user with email " + e + " is already registered");
        }
        revocations.raise(e, version, clock.instant()); // a deleted account's tokens under this email
        return user.view();
    }

    /** A token when the email and password match; empty otherwise (unknown and wrong look alike). */
    public Optional<IssuedToken> authenticate(String email, String password) {
        if (email == null || email.isBlank() || password == null || password.isEmpty()) {
            throw ServiceException.invalid("email and password are required");
        }
        // not an address no account can have: refused before it is counted (a count would be stored)
        String e = Validation.email("email", email);
        refuseWhileLimited(e);
        Optional<StoredUser> user = store.find(e);
        boolean ok;
        if (user.isPresent()) {
            ok = hasher.matches(password, user.get().passwordHash());
        } else {
            hasher.burn(password);
            ok = false;
        }
        if (!ok) {
            return Optional.empty();
        }
        limiter.reset(e);
        return Optional.of(tokens.issueUser(e, user.get().tokenVersion()));
    }

    public boolean exists(String email) {
        return store.exists(Validation.email("email", email));
    }

    public User get(String email) {
        String e = Validation.email("email", email);
        return store.find(e)
                .map(StoredUser::view)
                .orElseThrow(() -> ServiceException.notFound("user " + e + " is not registered"));
    }

    public UserPage list(int pageSize, String pageToken) {
        int size = Validation.pageSize(pageSize, 20, 100);
        String after = pageToken == null ? "" : pageToken.trim();
        if (!after.isEmpty()) {
            Validation.email("page_token", after);
        }
        return store.list(size, after);
    }

    /**
     * Changes name and/or password; null means unchanged. A new password needs the current one
     * (a stolen token alone must not lock the owner out of the account).
     */
    public User update(String email, String name, String password, String currentPassword) {
        String e = Validation.email("email", email);
        if (name == null && password == null) {
            throw ServiceException.invalid("nothing to change: give a name and/or a password");
        }
        StoredUser current =
                store.find(e).orElseThrow(() -> ServiceException.notFound("user " + e + " is not registered"));
        if (password != null) {
            requireCurrentPassword(current, currentPassword, "changing the password");
        }
        StoredUser next = new StoredUser(
                name == null ? current.name() : Validation.text("name", name, MAX_NAME),
                e,
                password == null ? current.passwordHash() : hasher.hash(password(password)),
                current.createdAt());
        long version = store.update(next, password != null);
        if (version < 0) {
            throw ServiceException.notFound("user " + e + " is not registered");
        }
        revocations.raise(e, version, clock.instant());
        return next.view();
    }

    /** Deletes the account; needs its current password. */
    public void delete(String email, String currentPassword) {
        String e = Validation.email("email", email);
        StoredUser current =
                store.find(e).orElseThrow(() -> ServiceException.notFound("user " + e + " is not registered"));
        requireCurrentPassword(current, currentPassword, "deleting the account");
        long version = store.delete(e);
        if (version < 0) {
            throw ServiceException.notFound("user " + e + " is not registered");
        }
        revocations.raise(e, version, clock.instant());
    }

    /** The account's current password, checked and counted like a login attempt. */
    private void requireCurrentPassword(StoredUser account, String given, String what) {
        if (given == null || given.isEmpty()) {
            throw ServiceException.invalid("current_password is required for " + what);
        }
        refuseWhileLimited(account.email());
        if (!hasher.matches(given, account.passwordHash())) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "current_password is wrong");
        }
        limiter.reset(account.email());
    }

    private void refuseWhileLimited(String email) {
        Duration wait = limiter.attempt(email);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw ServiceException.tooMany(
                    "too many login attempts for this account; try again in " + seconds + " s",
                    Duration.ofSeconds(seconds));
        }
    }

    static String password(String password) {
        if (password == null || password.isEmpty()) {
            throw ServiceException.invalid("password is required");
        }
        int bytes = password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 8 || bytes > PasswordHasher.MAX_BYTES) {
            throw ServiceException.invalid("password must be 8 to " + PasswordHasher.MAX_BYTES + " bytes long");
        }
        return password;
    }
}
