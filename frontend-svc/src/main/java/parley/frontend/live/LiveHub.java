package parley.frontend.live;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.contract.NotificationJson;
import parley.contract.NotificationJson.Parsed;
import parley.notification.v1.Notification;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ServiceException;
import parley.runtime.redis.RedisLink;

/**
 * Fans notifications out through Redis Pub/Sub. This instance subscribes to {@code notify:{email}}
 * while it holds at least one live session of that user; {@link #publish} answers how many
 * instances received it, which is how {@code delivered} is known. The Pub/Sub listener never
 * blocks: it hands each notification to the sessions' own writers.
 *
 * <p>On a Redis Cluster (SPEC §7.1) the user channels are sharded Pub/Sub: {@code SSUBSCRIBE} and
 * {@code SPUBLISH} of {@code notify:{<email>}} (the email is the hash tag), so a notification
 * travels only to the master owning the channel's slot instead of to every node. The reconcile
 * channel stays plain Pub/Sub: it is for every instance.
 */
public final class LiveHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHub.class);
    private static final String PREFIX = "notify:";
    /**
     * Every instance listens here: a message asks all live sessions to reconcile with the pending
     * list (sent when a push stream from notification-svc opens or ends, since pushes may have been
     * lost around it).
     */
    public static final String RECONCILE_CHANNEL = "live:reconcile";

    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final boolean sharded;
    // publish batches: commands queued without flushing, then one flush per batch (under its lock)
    private final RedisLink batchPublisher;
    private final Replay replay;
    private final Map<String, Set<LiveSession>> sessions = new ConcurrentHashMap<>();
    // the SUBSCRIBE of each joined user, so every session waits until the channel is really live
    private final Map<String, CompletableFuture<Void>> subscribed = new ConcurrentHashMap<>();
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final TokenWatch tokens = new TokenWatch();
    private final AtomicInteger controlSubscriptions = new AtomicInteger();
    private final Counter reconciles;
    private final Limits limits;

    /** How many live connections one user, and this instance in all, may hold. */
    public record Limits(int perUser, int perInstance) {}

    public LiveHub(
            StatefulRedisPubSubConnection<String, String> pubsub,
            RedisLink batchPublisher,
            Replay replay,
            Limits limits,
            MeterRegistry registry) {
        this.pubsub = pubsub;
        this.sharded = batchPublisher.cluster();
        this.limits = limits;
        this.batchPublisher = batchPublisher;
        batchPublisher.setAutoFlushCommands(false);
        this.replay = replay;
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (RECONCILE_CHANNEL.equals(channel)) {
                    reconcileAll(message);
                } else if (channel.startsWith(PREFIX)) {
                    dispatch(channel.substring(PREFIX.length()), message);
                }
            }

            @Override
            public void smessage(String channel, String message) {
                if (channel.startsWith(PREFIX + "{") && channel.endsWith("}")) {
                    dispatch(channel.substring(PREFIX.length() + 1, channel.length() - 1), message);
                }
            }

            @Override
            public void sunsubscribed(String channel, long count) {
                // a cluster unsubscribes everyone from the channels of a slot that moved to another
                // master: while the user is still here, subscribe again (on the new owner)
                if (channel.startsWith(PREFIX + "{") && channel.endsWith("}")) {
                    resubscribe(channel.substring(PREFIX.length() + 1, channel.length() - 1), 1);
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // lettuce subscribes again after a reconnect: what was published meanwhile is lost
                if (RECONCILE_CHANNEL.equals(channel) && controlSubscriptions.incrementAndGet() > 1) {
                    reconcileAll("Redis Pub/Sub reconnected");
                }
            }
        });
        pubsub.async().subscribe(RECONCILE_CHANNEL);
        this.reconciles = Counter.builder("parley.live.reconciles")
                .description("times every live session re-read its pending notifications")
                .register(registry);
        Gauge.builder("parley.live.connections", connections::get)
                .description("live connections (SSE and gRPC) on this instance")
                .register(registry);
        Gauge.builder("parley.live.users", sessions::size)
                .description("users with a live connection on this instance")
                .register(registry);
    }

    /** The channel of a user's live notifications: {@code notify:<email>}, on a cluster {@code notify:{<email>}}. */
    public String channel(String email) {
        return sharded ? PREFIX + "{" + email + "}" : PREFIX + email;
    }

    /**
     * Refuses a new live connection of {@code email} (429 / RESOURCE_EXHAUSTED) when the user, or
     * this instance, holds as many as allowed; call before the stream starts. Each connection costs
     * a replay and a writer: without a cap, one token could open thousands.
     */
    public void admit(String email) {
        Set<LiveSession> mine = sessions.get(email);
        if (mine != null && mine.size() >= limits.perUser()) {
            throw ServiceException.tooMany(
                    "at most " + limits.perUser()
                            + " live connections per user; close one (another tab or device) first",
                    Duration.ofSeconds(10));
        }
        if (connections.get() >= limits.perInstance()) {
            throw ServiceException.tooMany(
                    "this server holds as many live connections as it may; try again shortly", Duration.ofSeconds(10));
        }
    }

    /**
     * Joins the session, and ends it with a {@code revoked} event when its token expires or is
     * revoked (see {@link #endRevokedSessions}): a live stream does not outlive the token it was
     * opened with.
     */
    public void join(LiveSession session, String afterId, TokenService.Verified token) {
        join(session, afterId, tokens.watch(session, token));
    }

    /**
     * Ends, with a {@code revoked} event, every live session whose token {@code revocations}
     * revokes from now on (a new password, a deleted account).
     */
    public void endRevokedSessions(Revocations revocations) {
        tokens.endRevoked(revocations, email -> sessions.getOrDefault(email, Set.of()));
    }

    /** Joins the session to its user's channel, then starts its replay from {@code afterId}. */
    public void join(LiveSession session, String afterId) {
        join(session, afterId, () -> {});
    }

    private void join(LiveSession session, String afterId, Runnable alsoOnClose) {
        String email = session.email();
        CompletableFuture<Void> ready;
        synchronized (sessions) {
            Set<LiveSession> mine = sessions.computeIfAbsent(email, e -> new CopyOnWriteArraySet<>());
            if (mine.isEmpty()) {
                subscribed.put(
                        email,
                        (sharded
                                        ? pubsub.async().ssubscribe(channel(email))
                                        : pubsub.async().subscribe(channel(email)))
                                .toCompletableFuture());
            }
            if (mine.add(session)) {
                connections.incrementAndGet();
            }
            ready = subscribed.get(email);
        }
        session.onClose(() -> {
            alsoOnClose.run();
            leave(session);
        });
        // never blocks the caller (a gRPC event loop or an HTTP thread): the replay starts once the
        // channel is live. A copy times out, not the SUBSCRIBE that the user's other sessions share.
        ready.copy().orTimeout(5, TimeUnit.SECONDS).whenComplete((ok, error) -> {
            if (error != null) {
                session.close("could not subscribe to live notifications: " + error.getMessage());
            } else {
                session.replay(replay, afterId);
            }
        });
    }

    private void leave(LiveSession session) {
        String email = session.email();
        synchronized (sessions) {
            Set<LiveSession> mine = sessions.get(email);
            if (mine != null && mine.remove(session)) {
                connections.decrementAndGet();
            }
            if (mine != null && mine.isEmpty()) {
                sessions.remove(email);
                subscribed.remove(email);
                if (sharded) {
                    pubsub.async().sunsubscribe(channel(email));
                } else {
                    pubsub.async().unsubscribe(channel(email));
                }
            }
        }
    }

    /**
     * Subscribes {@code email}'s channel again after the cluster dropped it (its slot moved), if this
     * instance still holds a session of the user, then has those sessions write what they missed
     * meanwhile (it stayed pending: a publish that reached nobody is not a delivery). Retried while
     * the client still routes to the old owner.
     */
    private void resubscribe(String email, int attempt) {
        synchronized (sessions) {
            Set<LiveSession> mine = sessions.get(email);
            if (mine == null || mine.isEmpty()) {
                return; // we left it ourselves
            }
        }
        pubsub.async().ssubscribe(channel(email)).whenComplete((ok, error) -> {
            if (error == null) {
                log.info("{}: subscribed again after its slot moved", channel(email));
                sessions.getOrDefault(email, Set.of()).forEach(s -> s.reconcile(replay));
            } else if (attempt < 50) {
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                        .execute(() -> resubscribe(email, attempt + 1));
            } else {
                log.warn("{}: could not subscribe again ({}); closing its sessions", channel(email), error.toString());
                sessions.getOrDefault(email, Set.of())
                        .forEach(s -> s.close("live notifications were interrupted; reconnect"));
            }
        });
    }

    /** Publishes one notification; completes with whether some instance holds a live connection of its receiver. */
    public CompletableFuture<Boolean> publish(Notification n) {
        return publish(List.of(n)).thenApply(delivered -> delivered[0]);
    }

    /**
     * Publishes a batch: one {@code PUBLISH} per receiver carrying all of that user's notifications
     * (oldest first), pipelined and flushed once. Completes with, per notification in batch order,
     * whether some instance holds a live connection of its receiver.
     */
    public CompletableFuture<boolean[]> publish(List<Notification> batch) {
        Map<String, List<Notification>> byUser = new LinkedHashMap<>();
        for (Notification n : batch) {
            byUser.computeIfAbsent(n.getReceiverEmail(), e -> new ArrayList<>()).add(n);
        }
        Map<String, RedisFuture<Long>> sent = new LinkedHashMap<>();
        synchronized (batchPublisher) {
            RedisClusterAsyncCommands<String, String> async = batchPublisher.async();
            byUser.forEach((email, mine) -> {
                String payload = NotificationJson.writeAll(mine);
                sent.put(
                        email,
                        sharded ? async.spublish(channel(email), payload) : async.publish(channel(email), payload));
            });
            batchPublisher.flushCommands();
        }
        return CompletableFuture.allOf(sent.values().stream()
                        .map(RedisFuture::toCompletableFuture)
                        .toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    boolean[] delivered = new boolean[batch.size()];
                    for (int i = 0; i < batch.size(); i++) {
                        delivered[i] = sent.get(batch.get(i).getReceiverEmail())
                                        .toCompletableFuture()
                                        .join()
                                > 0;
                    }
                    return delivered;
                });
    }

    private void dispatch(String email, String payload) {
        Set<LiveSession> mine = sessions.get(email);
        if (mine == null || mine.isEmpty()) {
            return;
        }
        List<Parsed> batch;
        try {
            batch = NotificationJson.readAll(payload);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring malformed message on {}: {}", channel(email), e.getMessage());
            return;
        }
        mine.forEach(s -> s.onLive(batch));
    }

    /**
     * Asks every instance's live sessions to reconcile with their pending lists. Best effort: if
     * Redis does not take the message, this instance reconciles by itself.
     */
    public void requestReconcile(String reason) {
        RedisFuture<Long> sent;
        synchronized (batchPublisher) {
            sent = batchPublisher.async().publish(RECONCILE_CHANNEL, reason);
            batchPublisher.flushCommands();
        }
        sent.whenComplete((receivers, error) -> {
            if (error != null) {
                reconcileAll(reason);
            }
        });
    }

    /**
     * Every live session writes what is pending and it has not written (a push lost on the way).
     * Requests close together run once, half a second after the first.
     */
    void reconcileAll(String reason) {
        if (!reconcileQueued.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("live-reconcile").start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            } finally {
                reconcileQueued.set(false);
            }
            List<LiveSession> all = all();
            if (all.isEmpty()) {
                return;
            }
            log.info("reconciling {} live sessions with their pending notifications ({})", all.size(), reason);
            reconciles.increment();
            all.forEach(s -> s.reconcile(replay));
        });
    }

    /** Every live session, for a graceful shutdown. */
    public List<LiveSession> all() {
        return sessions.values().stream().flatMap(Set::stream).toList();
    }

    @Override
    public void close() {
        tokens.close();
        all().forEach(s -> s.close("server shutting down; reconnect shortly"));
    }
}
