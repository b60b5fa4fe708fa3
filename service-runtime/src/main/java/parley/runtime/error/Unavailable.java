package parley.runtime.error;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisLoadingException;
import java.io.IOException;
import java.util.List;

/**
 * Failures that mean "a dependency is down, try again" rather than a bug: Redis not answering,
 * restarting or loading, a connection reset, and a Redis Cluster moving or failing over a slot
 * ({@code TRYAGAIN} for a multi-key command whose keys are half migrated, {@code CLUSTERDOWN},
 * {@code MASTERDOWN}, a redirect left unfollowed). Mapped to 503 / UNAVAILABLE, never a 500; a
 * stream consumer retries such a failure at once instead of leaving the entry for reclaim.
 */
public final class Unavailable {
    private Unavailable() {}

    public static final String MESSAGE = "the data store is unavailable right now; try again shortly";
    // the error codes of a cluster in the middle of a slot move or a failover: the same command works shortly
    private static final List<String> CLUSTER_CODES =
            List.of("TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "MOVED", "ASK", "LOADING");

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
            if (t instanceof RedisCommandExecutionException && t.getMessage() != null) {
                String code = t.getMessage().split(" ", 2)[0];
                if (CLUSTER_CODES.contains(code)) {
                    return true;
                }
            }
        }
        return false;
    }
}
