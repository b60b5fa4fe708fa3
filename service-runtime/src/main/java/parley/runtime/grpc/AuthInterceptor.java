package parley.runtime.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.Function;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;
import parley.runtime.error.ServiceException;

/**
 * Verifies {@code authorization: Bearer <token>} metadata locally and applies each rpc's {@link
 * Access}. Standard services (health, reflection) are always public.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final TokenService tokens;
    private final Function<String, Access> accessByMethod;

    /** @param accessByMethod access for a full method name such as {@code parley.user.v1.UserService/GetUser} */
    public AuthInterceptor(TokenService tokens, Function<String, Access> accessByMethod) {
        this.tokens = tokens;
        this.accessByMethod = accessByMethod;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Access access = method.startsWith("parley.") ? accessByMethod.apply(method) : Access.PUBLIC;
        String header = headers.get(AUTHORIZATION);
        if (access.anyone() && header == null) {
            return next.startCall(call, headers);
        }
        TokenService.Verified verified;
        try {
            verified = tokens.verified(TokenService.bearer(header).orElse(null));
        } catch (ServiceException e) {
            if (access.anyone()) {
                return next.startCall(call, headers);
            }
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Principal principal = verified.principal();
        String refusal = access.refusal(principal);
        if (refusal != null) {
            call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Context context = Context.current().withValue(Caller.KEY, principal).withValue(Caller.TOKEN, verified);
        return Contexts.interceptCall(context, call, headers, next);
    }
}
