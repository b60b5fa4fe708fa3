package parley.message.redis;

import java.util.List;
import parley.events.Streams;

/**
 * Every key message-svc uses, built here only, in the layout of the Redis it runs on.
 *
 * <p>Standalone (DB 1): the seed's names ({@code message_id_counter}, {@code message:<id>}, {@code
 * conversation:<a>:<b>}, {@code user:<email>:messages}, …, {@code events:messages}).
 *
 * <p>Redis Cluster (SPEC §7.1): a conversation is the unit of atomicity (a message, its
 * conversation's metadata and its event are one script), so every key of a conversation carries
 * the hash tag of its shard {@code {N}} ({@link Streams#shardOf} of {@code a|b}), and so does its
 * event stream {@code events:messages:{N}}. A message's id names its shard ({@code id mod 16}), so
 * {@code message:{N}:<id>} is found from the id alone. A user's indexes carry the email as their
 * tag ({@code messages:{<email>}}, {@code conversations:{<email>}}, {@code left_at:{<email>}}):
 * they live on the user's slot, kept by a projector from the event (see RedisMessageStore).
 */
public final class MessageKeys {
    /** Passed to the send script for a send without an idempotency key: a key name, never a stored key. */
    public static final String NO_IDEMPOTENCY = "idempotency:";

    private final boolean cluster;

    public MessageKeys(boolean cluster) {
        this.cluster = cluster;
    }

    public boolean cluster() {
        return cluster;
    }

    /** The shard of the conversation of {@code x} and {@code y} (cluster mode). */
    public static int shard(String x, String y) {
        return x.compareTo(y) < 0 ? Streams.shardOf(x + "|" + y) : Streams.shardOf(y + "|" + x);
    }

    /** The shard a message id names (cluster mode). */
    public static int shardOf(long id) {
        return (int) Math.floorMod(id, (long) Streams.SHARDS);
    }

    private String tagged(String kind, int shard) {
        return kind + ":" + Streams.tag(shard) + ":";
    }

    /** The id counter a send of {@code x} to {@code y} draws from. */
    public String counter(String x, String y) {
        return cluster ? "message_id_counter:" + Streams.tag(shard(x, y)) : "message_id_counter";
    }

    /** What a message key is made of before its id, for a message between {@code x} and {@code y}. */
    public String messagePrefix(String x, String y) {
        return cluster ? tagged("message", shard(x, y)) : "message:";
    }

    /** JSON {@code {id, sender_email, receiver_email, content, timestamp}}. */
    public String message(long id) {
        return (cluster ? tagged("message", shardOf(id)) : "message:") + id;
    }

    /** Hash of a conversation's metadata; {@code a < b} so both parties find the same key. */
    public String conversation(String x, String y) {
        String pair = x.compareTo(y) < 0 ? x + ":" + y : y + ":" + x;
        return cluster ? tagged("conversation", shard(x, y)) + pair : "conversation:" + pair;
    }

    /** Sorted set of the conversation's message ids (score = id). */
    public String conversationMessages(String x, String y) {
        return conversation(x, y) + ":messages";
    }

    /** Sorted set of the user's conversation partners, scored by the last message id (newest activity first). */
    public String conversations(String email) {
        return cluster ? "conversations:{" + email + "}" : "user:" + email + ":conversations";
    }

    /** When an account of this email was last deleted (epoch ms): older messages are not its own. */
    public String leftAt(String email) {
        return cluster ? "left_at:{" + email + "}" : "user:" + email + ":left_at";
    }

    /** Sorted set of ids of every message the user sent or received. */
    public String messages(String email) {
        return cluster ? "messages:{" + email + "}" : "user:" + email + ":messages";
    }

    /** The id a sender's send with this idempotency key stored; kept 24 hours. */
    public String idempotency(String sender, String receiver, String key) {
        return cluster
                ? tagged("idempotency", shard(sender, receiver)) + sender + ":" + key
                : "idempotency:" + sender + ":" + key;
    }

    /** The event stream of the conversation of {@code x} and {@code y}. */
    public String events(String x, String y) {
        return cluster ? Streams.shard(Streams.MESSAGES, shard(x, y)) : Streams.MESSAGES;
    }

    /** Every stream message-svc appends to. */
    public List<String> allEvents() {
        return Streams.all(Streams.MESSAGES, cluster);
    }
}
