package parley.runtime.redis;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Re-drives dead letters: appends each original entry to its stream again, then deletes it. */
public final class DeadLetters {
  private DeadLetters() {}

  /** @return how many entries were re-driven */
  public static int redrive(RedisCommands<String, String> redis, String stream, int max) {
    String dead = stream + ":dead";
    List<StreamMessage<String, String>> entries = redis.xrange(dead, Range.create("-", "+"), io.lettuce.core.Limit.from(max));
    for (StreamMessage<String, String> entry : entries) {
      Map<String, String> original = new LinkedHashMap<>(entry.getBody());
      original.keySet().removeIf(k -> k.startsWith("dead_"));
      if (!original.isEmpty()) {
        redis.xadd(stream, original);
      }
      redis.xdel(dead, entry.getId());
    }
    return entries.size();
  }
}
