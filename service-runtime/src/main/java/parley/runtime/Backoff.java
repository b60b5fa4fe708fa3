package parley.runtime;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff between retries: starts at {@code min}, doubles after each failure up to
 * {@code max}, starts over on success. Not thread-safe; each retry loop owns one.
 */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private Duration current;

    public Backoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
        this.current = min;
    }

    /** How long to wait before the next attempt; the wait after it is twice as long (up to max). */
    public Duration next() {
        Duration wait = current;
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(max) > 0 ? max : doubled;
        return wait;
    }

    /**
     * Like {@link #next()}, spread by ±25% so that many clients that failed together do not all
     * come back at the same moment.
     */
    public Duration nextWithJitter() {
        return Duration.ofNanos(
                (long) (next().toNanos() * ThreadLocalRandom.current().nextDouble(0.75, 1.25)));
    }

    /** The last attempt worked: the next failure waits {@code min} again. */
    public void reset() {
        current = min;
    }
}
