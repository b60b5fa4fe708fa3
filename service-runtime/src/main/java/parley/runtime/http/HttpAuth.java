package parley.runtime.http;

import io.javalin.http.Context;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

/**
 * The caller of an HTTP request: the {@code Authorization: Bearer} token, or the web page's
 * session cookie (a browser's EventSource cannot set headers). Verified locally.
 */
public final class HttpAuth {
    /** The HttpOnly cookie in which frontend-svc keeps the page's token. */
    public static final String SESSION_COOKIE = "parley_session";

    private final TokenService tokens;

    public HttpAuth(TokenService tokens) {
        this.tokens = tokens;
    }

    public Principal caller(Context ctx) {
        return session(ctx).principal();
    }

    /** The caller and when their token expires (a live stream ends then). */
    public TokenService.Verified session(Context ctx) {
        String token = token(ctx);
        if (token == null || token.isBlank()) {
            throw new ServiceException(
                    ErrorCode.UNAUTHENTICATED,
                    "log in first: send Authorization: Bearer <token> (POST /login on user-svc)");
        }
        TokenService.Verified verified = tokens.verified(token);
        if (verified.principal().isService()) {
            // no service calls REST: a service token here can only be misuse
            throw ServiceException.denied("the REST API is for users; a service token is not accepted");
        }
        return verified;
    }

    /**
     * The raw token the caller presented, to forward to peer services (which verify it again).
     * Not verified here: call {@link #caller} first, as every route does.
     */
    public String token(Context ctx) {
        return TokenService.bearer(ctx.header("Authorization")).orElseGet(() -> ctx.cookie(SESSION_COOKIE));
    }

    /** The caller, who must be {@code email} themselves (or a service). */
    public Principal requireSelf(Context ctx, String email) {
        Principal principal = caller(ctx);
        if (!principal.mayActFor(email)) {
            throw ServiceException.denied("you may only access your own data, not " + email + "'s");
        }
        return principal;
    }
}
