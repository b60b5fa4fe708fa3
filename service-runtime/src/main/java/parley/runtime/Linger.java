package parley.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action once, a fixed time after the first of a burst of {@link #arm} calls: group commit
 * with a timer, for work off the latency path (delivery acks), where waiting a few milliseconds
 * lets a whole burst leave as one write. The action is disarmed before it runs, so work added
 * while it runs arms the next one and nothing is left behind.
 */
public final class Linger implements AutoCloseable {
    private final Duration delay;
    private final Runnable action;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final ScheduledExecutorService timer;

    /** @param thread the name of the timer's thread (a daemon) */
    public Linger(String thread, Duration delay, Runnable action) {
        this.delay = delay;
        this.action = action;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon(true).name(thread).unstarted(r));
    }

    /**
     * Schedules the action unless it is scheduled already.
     *
     * @return false when closed: nothing was scheduled, and the caller runs the work itself
     */
    public boolean arm() {
        if (!armed.compareAndSet(false, true)) {
            return true;
        }
        try {
            timer.schedule(this::fire, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException closed) {
            armed.set(false);
            return false;
        }
    }

    private void fire() {
        armed.set(false);
        action.run();
    }

    /** Stops the timer; an action not yet run does not run (the owner flushes itself). */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
