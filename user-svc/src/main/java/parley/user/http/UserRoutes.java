package parley.user.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.RequestParams;
import parley.user.domain.User;
import parley.user.domain.UserAccounts;
import parley.user.domain.UserPage;

/** REST transport of user-svc. Handlers only translate; rules live in {@link UserAccounts}. */
public final class UserRoutes {
    record RegisterBody(String name, String email, String password) {}

    record UpdateBody(String name, String password, String current_password) {}

    record DeleteBody(String current_password) {}

    record LoginBody(String email, String password) {}

    private final UserAccounts accounts;
    private final HttpAuth auth;

    public UserRoutes(UserAccounts accounts, HttpAuth auth) {
        this.accounts = accounts;
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.post("/users", this::create);
        routes.get("/users", this::list);
        routes.get("/users/{email}", this::get);
        routes.put("/users/{email}", this::update);
        routes.delete("/users/{email}", this::delete);
        routes.post("/login", this::login);
    }

    private void create(Context ctx) {
        RegisterBody body = RequestParams.body(ctx, RegisterBody.class);
        ctx.status(201).json(view(accounts.register(body.name(), body.email(), body.password())));
    }

    private void list(Context ctx) {
        auth.caller(ctx);
        UserPage page = accounts.list(RequestParams.size(ctx), RequestParams.text(ctx, "page_token"));
        ctx.json(Map.of(
                "users",
                page.users().stream().map(UserRoutes::view).toList(),
                "next_page_token",
                page.nextPageToken()));
    }

    private void get(Context ctx) {
        String email = ctx.pathParam("email");
        auth.requireSelf(ctx, email);
        ctx.json(view(accounts.get(email)));
    }

    private void update(Context ctx) {
        String email = ctx.pathParam("email");
        auth.requireSelf(ctx, email);
        UpdateBody body = RequestParams.body(ctx, UpdateBody.class);
        ctx.json(view(accounts.update(email, body.name(), body.password(), body.current_password())));
    }

    private void delete(Context ctx) {
        String email = ctx.pathParam("email");
        auth.requireSelf(ctx, email);
        accounts.delete(email, RequestParams.body(ctx, DeleteBody.class).current_password());
        ctx.status(204);
    }

    private void login(Context ctx) {
        LoginBody body = RequestParams.body(ctx, LoginBody.class);
        var token = accounts.authenticate(body.email(), body.password())
                .orElseThrow(() -> new ServiceException(ErrorCode.UNAUTHENTICATED, "wrong email or password"));
        ctx.json(Map.of("token", token.token(), "expires_at", token.expiresAt().toString()));
    }

    private static Map<String, Object> view(User user) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", user.name());
        m.put("email", user.email());
        m.put("created_at", user.createdAt().toString());
        return m;
    }
}
