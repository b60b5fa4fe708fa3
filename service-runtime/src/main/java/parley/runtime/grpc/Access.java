package parley.runtime.grpc;

/** Who may call an rpc. */
public enum Access {
  /** Anyone, no token (registration, login, health, reflection). */
  PUBLIC,
  /** A valid user or service token. */
  AUTHENTICATED,
  /** A valid service token only; a user token is refused with PERMISSION_DENIED. */
  SERVICE
}
