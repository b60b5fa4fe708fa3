package parley.notification.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import parley.contract.NotificationJson;
import parley.notification.NotificationMapping;
import parley.notification.domain.NotificationList;
import parley.notification.domain.Notifications;
import parley.runtime.auth.Principal;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.RequestParams;

/** REST transport of notification-svc; a user sees only their own notifications and subscription. */
public final class NotificationRoutes {
    record ReadBody(List<String> ids, Boolean all) {}

    private final Notifications notifications;
    private final HttpAuth auth;

    public NotificationRoutes(Notifications notifications, HttpAuth auth) {
        this.notifications = notifications;
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.get("/list_notifications", this::list);
        routes.post("/notifications/read", this::markRead);
        routes.get("/subscriptions/{email}", ctx -> subscription(ctx, null));
        routes.put("/subscriptions/{email}", ctx -> subscription(ctx, true));
        routes.delete("/subscriptions/{email}", ctx -> subscription(ctx, false));
    }

    private void list(Context ctx) {
        Principal caller = auth.caller(ctx);
        String after = RequestParams.text(ctx, "after");
        NotificationList list = notifications.list(
                caller.subject(),
                RequestParams.flag(ctx, "unread_only"),
                after.isEmpty() ? null : after,
                RequestParams.size(ctx),
                false);
        ctx.json(Map.of(
                "notifications",
                list.notifications().stream()
                        .map(n -> NotificationJson.view(NotificationMapping.toProto(n)))
                        .toList(),
                "reset",
                list.reset(),
                "unread_count",
                list.unreadCount()));
    }

    private void markRead(Context ctx) {
        Principal caller = auth.caller(ctx);
        ReadBody body = RequestParams.body(ctx, ReadBody.class);
        ctx.json(Map.of(
                "marked", notifications.markRead(caller.subject(), body.ids(), Boolean.TRUE.equals(body.all()))));
    }

    private void subscription(Context ctx, Boolean subscribe) {
        String email = ctx.pathParam("email");
        auth.requireSelf(ctx, email);
        if (subscribe != null) {
            notifications.setSubscribed(email, subscribe);
        }
        ctx.json(Map.of("email", email.trim().toLowerCase(Locale.ROOT), "subscribed", notifications.subscribed(email)));
    }
}
