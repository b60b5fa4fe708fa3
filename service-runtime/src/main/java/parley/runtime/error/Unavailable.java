package parley.runtime.error;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisLoadingException;
import java.io.IOException;

/**
 * Failures that mean "a dependency is down, try again" rather than a bug: Redis not answering,
 * restarting or loading, a connection reset. Mapped to 503 / UNAVAILABLE, never a 500.
 */
public final class Unavailable {
    private Unavailable() {}

    public static final String MESSAGE = "the data store is unavailable right now; try again shortly";

    /** Whether {@code e} or one of its causes is such a failure. */
    public static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisConnectionException
                    || t instanceof RedisCommandTimeoutException
                    || t instanceof RedisCommandInterruptedException
                    || t instanceof RedisLoadingException
                    || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
