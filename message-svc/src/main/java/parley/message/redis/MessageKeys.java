package parley.message.redis;

import parley.events.Streams;

/** Every key message-svc uses (Redis DB 1), built here only. */
public final class MessageKeys {
    public static final String COUNTER = "message_id_counter";
    public static final String MESSAGE_PREFIX = "message:";
    /** Passed to send.lua for a send without an idempotency key: a key name, never a stored key. */
    public static final String NO_IDEMPOTENCY = "idempotency:";

    public static final String EVENTS = Streams.MESSAGES;

    private MessageKeys() {}

    /** JSON {@code {id, sender_email, receiver_email, content, timestamp}}. */
    public static String message(long id) {
        return MESSAGE_PREFIX + id;
    }

    /** Hash of a conversation's metadata; {@code a < b} so both parties find the same key. */
    public static String conversation(String x, String y) {
        return x.compareTo(y) < 0 ? "conversation:" + x + ":" + y : "conversation:" + y + ":" + x;
    }

    /** Sorted set of the conversation's message ids (score = id). */
    public static String conversationMessages(String x, String y) {
        return conversation(x, y) + ":messages";
    }

    /** Sorted set of the user's conversation partners, scored by the last message id (newest activity first). */
    public static String conversations(String email) {
        return "user:" + email + ":conversations";
    }

    /** Sorted set of ids of every message the user sent or received. */
    /** When an account of this email was last deleted (epoch ms): older messages are not its own. */
    public static String leftAt(String email) {
        return "user:" + email + ":left_at";
    }

    public static String messages(String email) {
        return "user:" + email + ":messages";
    }

    /** The id a sender's send with this idempotency key stored; kept 24 hours. */
    public static String idempotency(String sender, String key) {
        return "idempotency:" + sender + ":" + key;
    }
}
