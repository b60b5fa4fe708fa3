package parley.message.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import parley.message.domain.Conversation;
import parley.message.domain.ConversationPage;
import parley.message.domain.Message;
import parley.message.domain.MessagePage;
import parley.message.domain.Messaging;
import parley.runtime.auth.Principal;
import parley.runtime.error.ServiceException;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.RequestParams;

/** REST transport of message-svc; the caller is always the token's owner. */
public final class MessageRoutes {
    record SendBody(String receiver_email, String content, String sender_email) {}

    private final Messaging messaging;
    private final HttpAuth auth;

    public MessageRoutes(Messaging messaging, HttpAuth auth) {
        this.messaging = messaging;
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.get("/list_conversations", this::conversations);
        routes.get("/messages", this::messages);
        routes.post("/messages", this::send);
        routes.post("/conversations/{email}/read", this::markRead);
        routes.delete("/messages/{id}", this::delete);
    }

    private void conversations(Context ctx) {
        Principal caller = auth.caller(ctx);
        ConversationPage page = messaging.conversations(
                caller, caller.subject(), RequestParams.size(ctx), RequestParams.text(ctx, "page_token"));
        ctx.json(Map.of(
                "conversations",
                page.conversations().stream().map(MessageRoutes::view).toList(),
                "next_page_token",
                page.nextPageToken()));
    }

    private void messages(Context ctx) {
        Principal caller = auth.caller(ctx);
        String with = RequestParams.text(ctx, "with");
        MessagePage page = messaging.messages(
                caller,
                caller.subject(),
                with.isEmpty() ? null : with,
                RequestParams.size(ctx),
                RequestParams.optionalLong(ctx, "before"));
        ctx.json(Map.of(
                "messages",
                page.messages().stream().map(MessageRoutes::view).toList(),
                "next_before_id",
                page.nextBeforeId()));
    }

    private void send(Context ctx) {
        Principal caller = auth.caller(ctx);
        SendBody body = RequestParams.body(ctx, SendBody.class);
        String sender = body.sender_email() == null ? caller.subject() : body.sender_email();
        ctx.status(201)
                .json(view(messaging.send(
                        caller, sender, body.receiver_email(), body.content(), ctx.header("Idempotency-Key"))));
    }

    private void markRead(Context ctx) {
        Principal caller = auth.caller(ctx);
        ctx.json(Map.of("marked", messaging.markRead(caller, caller.subject(), ctx.pathParam("email"))));
    }

    private void delete(Context ctx) {
        Principal caller = auth.caller(ctx);
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ServiceException.invalid("message id must be a number, got '" + ctx.pathParam("id") + "'");
        }
        messaging.delete(caller, id);
        ctx.status(204);
    }

    static Map<String, Object> view(Message m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("sender_email", m.senderEmail());
        v.put("receiver_email", m.receiverEmail());
        v.put("content", m.content());
        v.put("timestamp", m.timestamp().toString());
        return v;
    }

    static Map<String, Object> view(Conversation c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("with_email", c.withEmail());
        v.put("last_message", c.lastMessage() == null ? null : view(c.lastMessage()));
        v.put("message_count", c.messageCount());
        v.put("unread_count", c.unreadCount());
        v.put("updated_at", c.updatedAt().toString());
        return v;
    }
}
