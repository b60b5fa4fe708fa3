package parley.runtime.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter stream ({@code <stream>:dead}) of a consumer group: entries that cannot be
 * decoded or failed too often are moved there with the reason, and an operator re-drives them.
 */
public final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private static final LuaScript MOVE = LuaScript.fromResource(DeadLetters.class, "dead_letter.lua");

    private final StreamConsumer.Settings settings;
    private final RedisClusterCommands<String, String> redis;
    private final Counter deadLettered;

    DeadLetters(StreamConsumer.Settings settings, RedisClusterCommands<String, String> redis, MeterRegistry registry) {
        this.settings = settings;
        this.redis = redis;
        this.deadLettered = Counter.builder("parley.stream.dead_lettered")
                .tag("stream", settings.stream())
                .description("entries moved to the dead-letter stream")
                .register(registry);
    }

    /** Appends the entry, with why and where from, to the dead-letter stream and acknowledges it. */
    void add(StreamMessage<String, String> entry, String reason) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (entry.getBody() != null) {
            fields.putAll(entry.getBody());
        }
        fields.put("dead_reason", reason);
        fields.put("dead_entry_id", entry.getId());
        fields.put("dead_stream", settings.stream());
        fields.put("dead_group", settings.group());
        fields.put("dead_at", Instant.now().toString());
        // one script: the entry is never seen both dead-lettered and still pending (nor neither)
        List<String> args =
                new ArrayList<>(List.of(settings.group(), entry.getId(), Long.toString(settings.deadLetterMaxLen())));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        MOVE.run(redis, ScriptOutputType.INTEGER, List.of(settings.stream(), settings.deadLetterStream()), args);
        deadLettered.increment();
        log.warn(
                "{}: entry {} dead-lettered to {}: {}",
                settings.stream(),
                entry.getId(),
                settings.deadLetterStream(),
                reason);
    }

    /**
     * Re-drives dead letters: appends each original entry to its stream again, then deletes it.
     *
     * @return how many entries were re-driven
     */
    public static int redrive(RedisClusterCommands<String, String> redis, String stream, int max) {
        String dead = stream + ":dead";
        List<StreamMessage<String, String>> entries = redis.xrange(dead, Range.create("-", "+"), Limit.from(max));
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
