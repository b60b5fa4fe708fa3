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

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Clock clock;
  private final Duration userTtl;
  /** Leeway on {@code iat} and {@code nbf} for clock skew between hosts. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  public TokenService(byte[] secret, Duration userTtl, Clock clock) {
    this.algorithm = Algorithm.HMAC256(secret);
    this.clock = clock;
    this.userTtl = userTtl;
    this.verifier =
        ((JWTVerifier.BaseVerification)
                JWT.require(algorithm)
                    .withIssuer(ISSUER)
                    // hosts' clocks differ a little: a token issued "in the future" by a second is fine
                    .acceptIssuedAt(CLOCK_SKEW.toSeconds())
                    .acceptNotBefore(CLOCK_SKEW.toSeconds()))
            .build(clock);
  }

  public TokenService(byte[] secret) {
    this(secret, Duration.ofHours(12), Clock.systemUTC());
  }

  public IssuedToken issueUser(String email) {
    return issue(email, Principal.Kind.USER, userTtl);
  }

  /** A service token for internal calls; long-lived, re-issued at each start. */
  public IssuedToken issueService(String serviceName) {
    return issue(serviceName, Principal.Kind.SERVICE, Duration.ofDays(365));
  }

  private IssuedToken issue(String subject, Principal.Kind kind, Duration ttl) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    String token =
        JWT.create()
            .withIssuer(ISSUER)
            .withSubject(subject)
            .withClaim(KIND_CLAIM, kind.name().toLowerCase(java.util.Locale.ROOT))
            .withIssuedAt(now)
            .withExpiresAt(expires)
            .sign(algorithm);
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

  /** A verified token: whose it is, and until when it is valid. */
  public record Verified(Principal principal, Instant expiresAt) {}

  /** Like {@link #verify}, with the token's expiry (a live stream must end then). */
  public Verified verified(String token) {
    if (token == null || token.isBlank()) {
      throw new ServiceException(ErrorCode.UNAUTHENTICATED, "an access token is required");
    }
    try {
      DecodedJWT jwt = verifier.verify(token);
      String kind = Optional.ofNullable(jwt.getClaim(KIND_CLAIM).asString()).orElse("");
      Principal.Kind k =
          switch (kind) {
            case "user" -> Principal.Kind.USER;
            case "service" -> Principal.Kind.SERVICE;
            default -> throw new JWTVerificationException("unknown token type");
          };
      if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
        throw new JWTVerificationException("no subject");
      }
      Instant expires = jwt.getExpiresAtAsInstant() == null ? Instant.MAX : jwt.getExpiresAtAsInstant();
      return new Verified(new Principal(jwt.getSubject(), k), expires);
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
