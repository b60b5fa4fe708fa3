package parley.user.domain;

import java.time.Duration;

/**
 * Limits login attempts per account in a window. An attempt is counted before the password is
 * checked, so parallel guesses cannot all slip in before the first failure is counted; success
 * resets the count.
 */
public interface LoginLimiter {
    /** Counts one attempt; {@link Duration#ZERO} when it may go ahead, else how long to wait. */
    Duration attempt(String email);

    void reset(String email);
}
