package parley.runtime.grpc;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.time.Clock;
import java.util.concurrent.Executor;
import parley.runtime.auth.IssuedToken;
import parley.runtime.auth.TokenService;

/**
 * The calling service's identity on its outgoing calls: a short-lived service token naming it
 * ({@link TokenService#SERVICE_TTL}), issued again once half its life has passed, so that a long
 * running service never sends an expired one and a leaked token is soon worthless.
 */
public final class ServiceCredentials extends CallCredentials {
    private final TokenService tokens;
    private final String service;
    private final Clock clock;
    private volatile IssuedToken current;

    public ServiceCredentials(TokenService tokens, String service) {
        this(tokens, service, Clock.systemUTC());
    }

    /** @param clock the one {@code tokens} issues with */
    public ServiceCredentials(TokenService tokens, String service, Clock clock) {
        this.tokens = tokens;
        this.service = service;
        this.clock = clock;
    }

    /** The token to send now (a fresh one when the last is past half its life). */
    public String token() {
        IssuedToken t = current;
        if (t == null || clock.instant().isAfter(t.expiresAt().minus(TokenService.SERVICE_TTL.dividedBy(2)))) {
            t = tokens.issueService(service);
            current = t;
        }
        return t.token();
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token());
        applier.apply(headers);
    }
}
