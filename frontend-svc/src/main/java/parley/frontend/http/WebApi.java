package parley.frontend.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import parley.frontend.peers.Peers;
import parley.message.v1.GetMessagesRequest;
import parley.message.v1.ListConversationsRequest;
import parley.message.v1.MarkConversationReadRequest;
import parley.message.v1.SendMessageRequest;
import parley.notification.v1.ListNotificationsRequest;
import parley.notification.v1.MarkNotificationsReadRequest;
import parley.runtime.auth.Principal;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.RequestParams;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.AuthenticateUserResponse;
import parley.user.v1.RegisterUserRequest;

/**
 * The small JSON API behind the web page, each route one gRPC call to the service that owns the
 * data, made with the user's own token (kept in an HttpOnly, SameSite=Strict cookie).
 */
public final class WebApi {
    record RegisterBody(String name, String email, String password) {}

    record LoginBody(String email, String password) {}

    record SendBody(String receiver_email, String content) {}

    record ReadBody(List<String> ids, Boolean all) {}

    private static final JsonFormat.Printer JSON = JsonFormat.printer()
            .preservingProtoFieldNames()
            .alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();

    private final Peers peers;
    private final HttpAuth auth;
    private final boolean secureCookie;

    public WebApi(Peers peers, HttpAuth auth, boolean secureCookie) {
        this.peers = peers;
        this.auth = auth;
        this.secureCookie = secureCookie;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/register", this::registerUser);
        routes.post("/api/login", this::login);
        routes.post("/api/logout", this::logout);
        routes.get("/api/me", ctx -> ctx.json(Map.of("email", auth.caller(ctx).subject())));
        routes.get("/api/conversations", this::conversations);
        routes.get("/api/messages", this::messages);
        routes.post("/api/messages", this::send);
        routes.post("/api/conversations/{email}/read", this::markConversationRead);
        routes.get("/api/notifications", this::notifications);
        routes.post("/api/notifications/read", this::markNotificationsRead);
    }

    private void registerUser(Context ctx) {
        RegisterBody b = RequestParams.body(ctx, RegisterBody.class);
        var user = peers.users(null)
                .registerUser(RegisterUserRequest.newBuilder()
                        .setName(nz(b.name()))
                        .setEmail(nz(b.email()))
                        .setPassword(nz(b.password()))
                        .build());
        proto(ctx.status(201), user);
    }

    private void login(Context ctx) {
        LoginBody b = RequestParams.body(ctx, LoginBody.class);
        AuthenticateUserResponse r = peers.users(null)
                .authenticateUser(AuthenticateUserRequest.newBuilder()
                        .setEmail(nz(b.email()))
                        .setPassword(nz(b.password()))
                        .build());
        if (!r.getAuthenticated()) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "wrong email or password");
        }
        long maxAge = Math.max(
                0,
                Duration.between(Instant.now(), Instant.parse(r.getExpiresAt())).toSeconds());
        Cookie cookie = new Cookie(HttpAuth.SESSION_COOKIE, r.getToken());
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookie);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        cookie.setMaxAge((int) maxAge);
        ctx.cookie(cookie);
        ctx.json(Map.of("email", b.email().trim().toLowerCase(Locale.ROOT), "expires_at", r.getExpiresAt()));
    }

    private void logout(Context ctx) {
        ctx.removeCookie(HttpAuth.SESSION_COOKIE, "/");
        ctx.status(204);
    }

    private void conversations(Context ctx) {
        Principal me = auth.caller(ctx);
        proto(
                ctx,
                peers.messages(auth.token(ctx))
                        .listConversations(ListConversationsRequest.newBuilder()
                                .setUserEmail(me.subject())
                                .setPageSize(RequestParams.size(ctx))
                                .setPageToken(RequestParams.text(ctx, "page_token"))
                                .build()));
    }

    private void messages(Context ctx) {
        Principal me = auth.caller(ctx);
        GetMessagesRequest.Builder r =
                GetMessagesRequest.newBuilder().setUserEmail(me.subject()).setPageSize(RequestParams.size(ctx));
        String with = RequestParams.text(ctx, "with");
        if (!with.isEmpty()) {
            r.setWithEmail(with);
        }
        Long before = RequestParams.optionalLong(ctx, "before");
        if (before != null) {
            r.setBeforeId(before);
        }
        proto(ctx, peers.messages(auth.token(ctx)).getMessages(r.build()));
    }

    private void send(Context ctx) {
        Principal me = auth.caller(ctx);
        SendBody b = RequestParams.body(ctx, SendBody.class);
        proto(
                ctx.status(201),
                peers.messages(auth.token(ctx))
                        .sendMessage(SendMessageRequest.newBuilder()
                                .setSenderEmail(me.subject())
                                .setReceiverEmail(nz(b.receiver_email()))
                                .setContent(nz(b.content()))
                                .build()));
    }

    private void markConversationRead(Context ctx) {
        Principal me = auth.caller(ctx);
        proto(
                ctx,
                peers.messages(auth.token(ctx))
                        .markConversationRead(MarkConversationReadRequest.newBuilder()
                                .setUserEmail(me.subject())
                                .setWithEmail(ctx.pathParam("email"))
                                .build()));
    }

    private void notifications(Context ctx) {
        Principal me = auth.caller(ctx);
        ListNotificationsRequest.Builder r = ListNotificationsRequest.newBuilder()
                .setEmail(me.subject())
                .setUnreadOnly(RequestParams.flag(ctx, "unread_only"))
                .setPageSize(RequestParams.size(ctx));
        String after = RequestParams.text(ctx, "after");
        if (!after.isEmpty()) {
            r.setAfterId(after);
        }
        proto(ctx, peers.notifications(auth.token(ctx)).listNotifications(r.build()));
    }

    private void markNotificationsRead(Context ctx) {
        Principal me = auth.caller(ctx);
        ReadBody b = RequestParams.body(ctx, ReadBody.class);
        MarkNotificationsReadRequest.Builder r =
                MarkNotificationsReadRequest.newBuilder().setEmail(me.subject()).setAll(Boolean.TRUE.equals(b.all()));
        if (b.ids() != null) {
            r.addAllIds(b.ids());
        }
        proto(ctx, peers.notifications(auth.token(ctx)).markNotificationsRead(r.build()));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static void proto(Context ctx, MessageOrBuilder message) {
        try {
            ctx.contentType("application/json").result(JSON.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
