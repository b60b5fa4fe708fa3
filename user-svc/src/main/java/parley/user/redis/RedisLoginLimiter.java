package parley.user.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import parley.runtime.redis.LuaScript;
import parley.user.domain.LoginLimiter;

/** Login attempts counted in {@code login_failures:{email}} by one script, which also sets its expiry. */
public final class RedisLoginLimiter implements LoginLimiter {
    private static final LuaScript ATTEMPT = LuaScript.fromResource(RedisLoginLimiter.class, "login_attempt.lua");
    private final RedisClusterCommands<String, String> redis;
    private final UserKeys keys;
    private final int maxAttempts;
    private final Duration window;

    public RedisLoginLimiter(
            RedisClusterCommands<String, String> redis, UserKeys keys, int maxAttempts, Duration window) {
        this.redis = redis;
        this.keys = keys;
        this.maxAttempts = maxAttempts;
        this.window = window;
    }

    @Override
    public Duration attempt(String email) {
        Long waitMs = ATTEMPT.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(keys.loginFailures(email)),
                List.of(Long.toString(window.toMillis()), Integer.toString(maxAttempts)));
        return Duration.ofMillis(waitMs == null ? 0 : waitMs);
    }

    @Override
    public void reset(String email) {
        redis.del(keys.loginFailures(email));
    }
}
