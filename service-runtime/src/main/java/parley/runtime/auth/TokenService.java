package parley.runtime.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;

/**
 * Signs and verifies access tokens (JWT, HMAC-SHA256 with {@code AUTH_SECRET}). Verification is
 * local: no network call per request. User tokens carry {@code sub} = email and {@code typ} =
 * {@code user}; service tokens carry the service name and {@code typ} = {@code service}.
 */
public final class TokenService {
    private static final String ISSUER = "parley";
    private static final String KIND_CLAIM = "typ";
    /** The account's token version when the token was issued (see {@link Revocations}). */
    private static final String VERSION_CLAIM = "ver";

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;
    private final Duration userTtl;
    private volatile Revocations revocations = Revocations.NONE;
    /** Leeway on {@code iat} and {@code nbf} for clock skew between hosts. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** What a revoked token is told. */
    public static final String REVOKED =
            "the access token was revoked (the password changed or the account was deleted); log in again";

    public TokenService(byte[] secret, Duration userTtl, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.clock = clock;
        this.userTtl = userTtl;
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                        .withIssuer(ISSUER)
                        // hosts' clocks differ a little: a token issued "in the future" by a second is fine
                        .acceptIssuedAt(CLOCK_SKEW.toSeconds())
                        .acceptNotBefore(CLOCK_SKEW.toSeconds()))
                .build(clock);
    }

    /** How long a user token lives unless {@code TOKEN_TTL_SECONDS} says otherwise. */
    public static final Duration DEFAULT_USER_TTL = Duration.ofHours(12);

    public TokenService(byte[] secret) {
        this(secret, DEFAULT_USER_TTL, Clock.systemUTC());
    }

    /** A token of an account that has no token version (tests, tools): revoked by any raise. */
    public IssuedToken issueUser(String email) {
        return issueUser(email, 0);
    }

    /**
     * @param tokenVersion the account's current token version: once a password change or deletion
     *     raises it, this token is refused everywhere
     */
    public IssuedToken issueUser(String email, long tokenVersion) {
        return issue(email, Principal.Kind.USER, userTtl, tokenVersion);
    }

    /** Checks user tokens against what {@code revocations} has learned; until then nothing is revoked. */
    public TokenService revokedBy(Revocations revocations) {
        this.revocations = revocations;
        return this;
    }

    /** How long a service token lives; callers issue a new one as it ages (ServiceCredentials). */
    public static final Duration SERVICE_TTL = Duration.ofHours(1);

    /** A service token for internal calls, naming the calling service; lives {@link #SERVICE_TTL}. */
    public IssuedToken issueService(String serviceName) {
        return issue(serviceName, Principal.Kind.SERVICE, SERVICE_TTL, 0);
    }

    private IssuedToken issue(String subject, Principal.Kind kind, Duration ttl, long version) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        var builder = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(subject)
                .withClaim(KIND_CLAIM, kind.name().toLowerCase(Locale.ROOT))
                .withIssuedAt(now)
                .withExpiresAt(expires);
        if (version > 0) {
            builder.withClaim(VERSION_CLAIM, version);
        }
        String token = builder.sign(algorithm);
        return new IssuedToken(token, Instant.ofEpochSecond(expires.getEpochSecond()));
    }

    /**
     * Verifies a token and tells who it belongs to.
     *
     * @throws ServiceException UNAUTHENTICATED when it is missing, tampered with, expired or foreign
     */
    public Principal verify(String token) {
        return verified(token).principal();
    }

    /**
     * A verified token: whose it is, until when it is valid, and its account's token version (a live
     * stream must end when either runs out).
     */
    public record Verified(Principal principal, Instant expiresAt, long tokenVersion) {
        /** Whether {@code revocations} now refuses this token. */
        public boolean revokedBy(Revocations revocations) {
            return principal.kind() == Principal.Kind.USER && revocations.revokes(principal.subject(), tokenVersion);
        }
    }

    /** Like {@link #verify}, with the token's expiry (a live stream must end then). */
    public Verified verified(String token) {
        if (token == null || token.isBlank()) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "an access token is required");
        }
        try {
            DecodedJWT jwt = verifier.verify(token);
            String kind =
                    Optional.ofNullable(jwt.getClaim(KIND_CLAIM).asString()).orElse("");
            Principal.Kind k = switch (kind) {
                case "user" -> Principal.Kind.USER;
                case "service" -> Principal.Kind.SERVICE;
                default -> throw new JWTVerificationException("unknown token type");
            };
            if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
                throw new JWTVerificationException("no subject");
            }
            Instant expires = jwt.getExpiresAtAsInstant() == null ? Instant.MAX : jwt.getExpiresAtAsInstant();
            Long version = jwt.getClaim(VERSION_CLAIM).asLong();
            Verified verified =
                    new Verified(new Principal(jwt.getSubject(), k), expires, version == null ? 0 : version);
            if (verified.revokedBy(revocations)) {
                throw new ServiceException(ErrorCode.UNAUTHENTICATED, REVOKED);
            }
            return verified;
        } catch (TokenExpiredException e) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "the access token has expired; log in again");
        } catch (JWTVerificationException e) {
            throw new ServiceException(ErrorCode.UNAUTHENTICATED, "the access token is not valid");
        }
    }

    /** Extracts the token from an {@code Authorization: Bearer …} header value, if any. */
    public static Optional<String> bearer(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = h.substring(7).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }
}
