package parley.runtime.grpc;

import io.grpc.Context;
import parley.runtime.auth.Principal;
import parley.runtime.error.ServiceException;

/** The verified caller of the current gRPC call, put in the {@link Context} by {@link AuthInterceptor}. */
public final class Caller {
  static final Context.Key<Principal> KEY = Context.key("parley-principal");
  static final Context.Key<java.time.Instant> EXPIRES_AT = Context.key("parley-token-expires-at");

  private Caller() {}

  /** The caller; only absent on PUBLIC rpcs. */
  public static Principal current() {
    Principal principal = KEY.get();
    if (principal == null) {
      throw new ServiceException(
          parley.runtime.error.ErrorCode.UNAUTHENTICATED, "an access token is required");
    }
    return principal;
  }

  /** When the caller's token expires (a live stream ends then). */
  public static java.time.Instant tokenExpiresAt() {
    java.time.Instant at = EXPIRES_AT.get();
    return at == null ? java.time.Instant.MAX : at;
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
