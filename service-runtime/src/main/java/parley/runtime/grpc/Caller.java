package parley.runtime.grpc;

import io.grpc.Context;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

/** The verified caller of the current gRPC call, put in the {@link Context} by {@link AuthInterceptor}. */
public final class Caller {
    static final Context.Key<Principal> KEY = Context.key("parley-principal");
    static final Context.Key<TokenService.Verified> TOKEN = Context.key("parley-token");

    private Caller() {}

    /** The caller; only absent on PUBLIC rpcs. */
    public static Principal current() {
        Principal principal = KEY.get();
        if (principal == null) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "an access token is required");
        }
        return principal;
    }

    /** The caller's verified token (a live stream ends when it expires or is revoked). */
    public static TokenService.Verified token() {
        TokenService.Verified token = TOKEN.get();
        if (token == null) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "an access token is required");
        }
        return token;
    }

    /** The caller, who must be {@code email} themselves (or a service acting for them). */
    public static Principal requireSelf(String email) {
        Principal principal = current();
        if (!principal.mayActFor(email)) {
            throw ServiceException.denied("you may only access your own data, not " + email + "'s");
        }
        return principal;
    }
}
