package parley.frontend.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import parley.frontend.live.DeliveryAcks;
import parley.frontend.live.LiveHub;
import parley.frontend.live.LiveSession;
import parley.frontend.live.LiveStats;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.HttpErrors;

/**
 * {@code GET /events}: the browser's live connection (Server-Sent Events). The token comes as
 * {@code Authorization: Bearer} or the page's session cookie; the cursor as {@code Last-Event-ID}
 * (sent by EventSource on its own reconnects) or {@code ?last_event_id=} (a page opening a new
 * EventSource). Each event carries its id; a retry hint and a visible heartbeat are sent.
 */
public final class EventsRoute implements AutoCloseable {
    /** The live stream's route; the only place its path is written. */
    public static final String PATH = "/events";

    static final int RETRY_MS = 3000;

    private final HttpAuth auth;
    private final LiveHub hub;
    private final DeliveryAcks acks;
    private final LiveStats stats;
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name("sse-heartbeat").unstarted(r));
    private final Set<LiveSession> open = ConcurrentHashMap.newKeySet();

    public EventsRoute(HttpAuth auth, LiveHub hub, DeliveryAcks acks, LiveStats stats, Duration heartbeat) {
        this.auth = auth;
        this.hub = hub;
        this.acks = acks;
        this.stats = stats;
        beats.scheduleAtFixedRate(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void register(RoutesConfig routes) {
        // Authentication and cursor checks happen before the stream starts, so a bad request gets a
        // plain JSON 401/400 (which also stops EventSource from retrying in vain).
        routes.before(PATH, ctx -> {
            Principal caller = auth.caller(ctx);
            cursor(ctx.header("Last-Event-ID"), ctx.queryParam("last_event_id"));
            hub.admit(caller.subject());
        });
        routes.sse(PATH, this::open);
    }

    private void open(SseClient client) {
        Principal caller;
        TokenService.Verified token;
        String afterId;
        try {
            token = auth.session(client.ctx());
            caller = token.principal();
            afterId = cursor(client.ctx().header("Last-Event-ID"), client.ctx().queryParam("last_event_id"));
        } catch (ServiceException e) {
            HttpErrors.write(client.ctx(), e.code(), e.getMessage());
            return;
        }
        client.keepAlive();
        retryHint(client);
        LiveSession session = new LiveSession(caller.subject(), new SseSink(client), acks, stats);
        open.add(session);
        client.onClose(() -> {
            open.remove(session);
            session.close("client closed");
        });
        hub.join(session, afterId, token);
    }

    static String cursor(String header, String query) {
        String raw = header != null && !header.isBlank() ? header : query;
        return raw == null || raw.isBlank() ? null : Validation.notificationId("the last event id", raw);
    }

    private static void retryHint(SseClient client) {
        try {
            OutputStream out =
                    client.ctx().res().getOutputStream(); // the raw stream, as SseSink and Javalin's Emitter write to
            out.write(("retry: " + RETRY_MS + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            client.close();
        }
    }

    /** Hands each session a heartbeat to write; never writes itself, so one stuck client delays no one. */
    private void beat() {
        String at = Instant.now().toString();
        for (LiveSession session : open) {
            if (session.closed()) {
                open.remove(session);
            } else {
                session.heartbeat(at);
            }
        }
    }

    @Override
    public void close() {
        beats.shutdownNow();
    }
}
