package parley.user.domain;

/** Counts failed logins per account in a window; too many and logins are refused for a while. */
public interface LoginLimiter {
  boolean blocked(String email);

  void recordFailure(String email);

  void reset(String email);
}
