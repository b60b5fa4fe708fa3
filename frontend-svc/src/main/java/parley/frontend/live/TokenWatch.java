package parley.frontend.live;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;

/**
 * Keeps live sessions within their token: a session ends with a {@code revoked} event when the
 * token it was opened with expires, or when its version is revoked (a new password, a deleted
 * account). A live stream does not outlive its token.
 */
final class TokenWatch implements AutoCloseable {
    private final ScheduledThreadPoolExecutor expiries;
    // the token version each session was opened with, to end it when that version is revoked
    private final Map<LiveSession, Long> tokenVersions = new ConcurrentHashMap<>();

    TokenWatch() {
        expiries = new ScheduledThreadPoolExecutor(
                1, r -> Thread.ofPlatform().daemon(true).name("live-expiry").unstarted(r));
        // a closed session cancels its task: removed at once, so the queue holds live sessions only
        expiries.setRemoveOnCancelPolicy(true);
    }

    /** Watches the session's token; returns what to run when the session closes. */
    Runnable watch(LiveSession session, TokenService.Verified token) {
        tokenVersions.put(session, token.tokenVersion());
        Instant now = Instant.now();
        Instant expiresAt = token.expiresAt();
        // seconds first: in milliseconds, a token without expiry (Instant.MAX) would overflow
        if (now.until(expiresAt, ChronoUnit.SECONDS) >= Duration.ofDays(3650).toSeconds()) {
            return () -> tokenVersions.remove(session);
        }
        ScheduledFuture<?> expiry = expiries.schedule(
                () -> session.revoke("your token expired; log in again"),
                Math.max(0, Duration.between(now, expiresAt).toMillis()),
                TimeUnit.MILLISECONDS);
        return () -> {
            expiry.cancel(false);
            tokenVersions.remove(session);
        };
    }

    /** From now on, ends every watched session of {@code sessionsOf(email)} whose token gets revoked. */
    void endRevoked(Revocations revocations, Function<String, Set<LiveSession>> sessionsOf) {
        revocations.onRevoked(email -> {
            for (LiveSession session : sessionsOf.apply(email)) {
                Long version = tokenVersions.get(session);
                if (version != null && revocations.revokes(email, version)) {
                    session.revoke(TokenService.REVOKED);
                }
            }
        });
    }

    @Override
    public void close() {
        expiries.shutdownNow();
    }
}
