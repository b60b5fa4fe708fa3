package parley.events;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

/**
 * Names of the Redis streams that carry domain events, and the shards of cluster mode (SPEC §7.1).
 *
 * <p>Standalone, each is one stream. On a Redis Cluster each is {@link #SHARDS} streams, {@code
 * events:users:{0}} … {@code events:users:{15}}: an account's (or a conversation's) keys carry the
 * hash tag of its shard, so a write and its event stay one atomic script on one slot, while the
 * shards spread over the masters. Every service agrees on the count; changing it would move data.
 */
public final class Streams {
    /** user-svc's stream (DB 0): UserRegistered, UserUpdated, UserDeleted. */
    public static final String USERS = "events:users";
    /** message-svc's stream (DB 1): MessageSent, MessageRead, MessageDeleted. */
    public static final String MESSAGES = "events:messages";

    /** Shards of each stream in cluster mode. */
    public static final int SHARDS = 16;

    private Streams() {}

    /** The shard of a unit of atomicity (an email, a conversation): CRC-32 of its UTF-8, mod {@link #SHARDS}. */
    public static int shardOf(String unit) {
        CRC32 crc = new CRC32();
        crc.update(unit.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % SHARDS);
    }

    /** The hash tag of a shard, {@code {N}}: every key of the shard carries it. */
    public static String tag(int shard) {
        return "{" + shard + "}";
    }

    /** One shard of {@code stream}: {@code events:users:{N}}. */
    public static String shard(String stream, int shard) {
        return stream + ":" + tag(shard);
    }

    /** Every stream {@code stream} is made of: itself standalone, its shards on a cluster. */
    public static List<String> all(String stream, boolean cluster) {
        return cluster
                ? IntStream.range(0, SHARDS).mapToObj(i -> shard(stream, i)).toList()
                : List.of(stream);
    }
}
