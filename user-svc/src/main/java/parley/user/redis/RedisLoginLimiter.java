package parley.user.redis;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import parley.user.domain.LoginLimiter;

/** Failed logins counted in {@code login_failures:{email}}, which expires with the window. */
public final class RedisLoginLimiter implements LoginLimiter {
  private final RedisCommands<String, String> redis;
  private final int maxFailures;
  private final Duration window;

  public RedisLoginLimiter(RedisCommands<String, String> redis, int maxFailures, Duration window) {
    this.redis = redis;
    this.maxFailures = maxFailures;
    this.window = window;
  }

  @Override
  public boolean blocked(String email) {
    String count = redis.get(UserKeys.loginFailures(email));
    return count != null && Long.parseLong(count) >= maxFailures;
  }

  @Override
  public void recordFailure(String email) {
    String key = UserKeys.loginFailures(email);
    if (redis.incr(key) == 1L) {
      redis.expire(key, window);
    }
  }

  @Override
  public void reset(String email) {
    redis.del(UserKeys.loginFailures(email));
  }
}
