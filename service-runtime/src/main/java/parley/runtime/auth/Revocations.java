package parley.runtime.auth;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.EventDecodingException;
import parley.events.Streams;
import parley.events.UserDeleted;
import parley.events.UserRegistered;
import parley.events.UserUpdated;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;

/**
 * Which user tokens are revoked, learned from {@code events:users}, so that verification stays
 * local. Every account has a token version ({@code token_version:{email}} in user-svc, carried by
 * its tokens as {@code ver}); registering, a new password and deleting raise it, and a token whose
 * version is below the highest one seen for its email is refused.
 *
 * <p>Each instance follows the stream itself (no consumer group: every instance needs every
 * event), starting {@code lookBack} (the longest token lifetime) before its start: an event older
 * than that can only revoke tokens that have expired anyway. For the same reason an email's entry
 * is forgotten {@code lookBack} after its event, so memory holds one entry per account changed in
 * that window.
 *
 * <p>On a Redis Cluster the stream is {@link Streams#SHARDS} shards, and a blocking {@code XREAD}
 * can wait on one slot's streams only: every shard is read in one pipelined round of non-blocking
 * reads, and a round that brought nothing is followed by a pause of {@link #CLUSTER_POLL}, so a
 * revocation reaches the other services within about that.
 */
public final class Revocations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Revocations.class);
    private static final int PAGE = 500;
    static final Duration CLUSTER_POLL = Duration.ofMillis(200);

    /** Revokes nothing (tools and tests that have no users stream). */
    public static final Revocations NONE = new Revocations(null, List.of(), Duration.ZERO, Clock.systemUTC());

    /** Learns only from {@link #raise} (unit tests). */
    static Revocations local() {
        return new Revocations(null, List.of(), Duration.ZERO, Clock.systemUTC());
    }

    private record Floor(long version, long atMillis) {}

    private final Map<String, Floor> floors = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final RedisLink blocking;
    private final List<String> streams;
    private final Duration lookBack;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    private Revocations(RedisLink blocking, List<String> streams, Duration lookBack, Clock clock) {
        this.blocking = blocking;
        this.streams = List.copyOf(streams);
        this.lookBack = lookBack;
        this.clock = clock;
        this.thread = blocking == null
                ? null
                : Thread.ofPlatform().daemon(true).name("revocations").unstarted(this::run);
        this.caughtUp = blocking == null;
    }

    /**
     * Starts following {@code events:users} (or its shards, on a cluster) on {@code blocking} (a
     * connection of its own: it blocks in {@code XREAD}).
     *
     * @param lookBack the longest lifetime of a user token ({@code TOKEN_TTL_SECONDS}) plus clock skew
     */
    public static Revocations follow(RedisLink blocking, Duration lookBack, Clock clock) {
        Revocations r = new Revocations(blocking, Streams.all(Streams.USERS, blocking.cluster()), lookBack, clock);
        r.thread.start();
        return r;
    }

    /**
     * Follows the {@code events:users} at {@code usersStreamUrl} on a connection of its own, back to
     * the oldest token that may still be valid ({@code tokenTtl} plus the clock-skew leeway).
     */
    public static Revocations follow(RedisConnections redis, String usersStreamUrl, Duration tokenTtl) {
        return follow(
                redis.connectBlocking(usersStreamUrl, Duration.ofSeconds(1)),
                tokenTtl.plus(TokenService.CLOCK_SKEW),
                Clock.systemUTC());
    }

    /** Whether a token of {@code email} with {@code version} is refused. */
    public boolean revokes(String email, long version) {
        Floor f = floors.get(email);
        return f != null && version < f.version();
    }

    /** True once the history of the last {@code lookBack} has been read (for {@code /ready}). */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Called with an email whenever its tokens below a new version become revoked. */
    public void onRevoked(Consumer<String> listener) {
        listeners.add(listener);
    }

    /**
     * Raises {@code email}'s version at once (user-svc calls this right after its own write, so its
     * next request already refuses the old tokens; the stream brings the same news again).
     */
    public void raise(String email, long version, Instant at) {
        if (version <= 0) {
            return;
        }
        Floor now = new Floor(version, at.toEpochMilli());
        Floor merged = floors.merge(email, now, (a, b) -> a.version() >= b.version() ? a : b);
        if (merged == now) {
            for (Consumer<String> l : listeners) {
                try {
                    l.accept(email);
                } catch (RuntimeException e) {
                    log.warn("revocation listener failed for {}: {}", email, e.toString());
                }
            }
        }
    }

    private void learn(DomainEvent event) {
        switch (event) {
            case UserRegistered e -> raise(e.email(), e.tokenVersion(), e.occurredAt());
            case UserUpdated e -> raise(e.email(), e.tokenVersion(), e.occurredAt());
            case UserDeleted e -> raise(e.email(), e.tokenVersion(), e.occurredAt());
            default -> {}
        }
    }

    @SuppressWarnings("unchecked") // lettuce's xread takes StreamOffset<K>... (generic varargs)
    private void run() {
        Map<String, String> last = new HashMap<>();
        streams.forEach(stream -> last.put(stream, (clock.millis() - lookBack.toMillis()) + "-0"));
        long nextPrune = 0;
        while (running) {
            try {
                boolean more = false;
                for (List<StreamMessage<String, String>> entries : read(last)) {
                    for (StreamMessage<String, String> e : entries) {
                        last.put(e.getStream(), e.getId());
                        try {
                            learn(EventCodec.decode(e.getBody()));
                        } catch (EventDecodingException bad) {
                            log.debug("skipping undecodable users entry {}: {}", e.getId(), bad.getMessage());
                        }
                    }
                    more |= entries.size() >= PAGE;
                }
                if (!more && !caughtUp) {
                    caughtUp = true;
                    log.info(
                            "token revocations: read {} of history, {} accounts with revoked tokens",
                            lookBack,
                            floors.size());
                }
                if (clock.millis() >= nextPrune) {
                    long before = clock.millis() - lookBack.toMillis();
                    floors.values().removeIf(f -> f.atMillis() < before);
                    nextPrune = clock.millis() + 60_000;
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("following {} for token revocations failed: {}; retrying", Streams.USERS, e.toString());
                    if (!pause(Duration.ofSeconds(1))) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * The next entries after {@code last}, per stream: one blocking {@code XREAD} of the one
     * stream, or one pipelined round over every shard (pausing when it brought nothing).
     */
    @SuppressWarnings("unchecked")
    private List<List<StreamMessage<String, String>>> read(Map<String, String> last) {
        if (streams.size() == 1) {
            String stream = streams.get(0);
            return List.of(blocking.sync()
                    .xread(
                            XReadArgs.Builder.block(Duration.ofSeconds(1)).count(PAGE),
                            StreamOffset.from(stream, last.get(stream))));
        }
        List<CompletableFuture<List<StreamMessage<String, String>>>> reads = streams.stream()
                .map(stream -> blocking.async()
                        .xread(XReadArgs.Builder.count(PAGE), StreamOffset.from(stream, last.get(stream)))
                        .toCompletableFuture())
                .toList();
        List<List<StreamMessage<String, String>>> pages =
                reads.stream().map(CompletableFuture::join).toList();
        if (pages.stream().allMatch(List::isEmpty)) {
            pause(CLUSTER_POLL);
        }
        return pages;
    }

    /** Sleeps; false when interrupted (closing). */
    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
