package parley.events;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The one codec between events and flat stream fields, used by producers and consumers alike.
 * Every entry has {@code type}, {@code event_id}, {@code occurred_at} (ISO-8601 UTC) and {@code v},
 * then the payload fields in snake_case, so {@code XRANGE} output reads as it is.
 */
public final class EventCodec {
    /** The schema version written to {@code v}. Decoding accepts this version only. */
    public static final int VERSION = 1;

    private EventCodec() {}

    /** The field of a user event with the account's token version (see {@link UserDeleted}). */
    public static final String TOKEN_VERSION = "token_version";

    /** A fresh unique event id. */
    public static String newEventId() {
        return UUID.randomUUID().toString();
    }

    public static Map<String, String> encode(DomainEvent event) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("type", event.type());
        f.put("event_id", event.eventId());
        f.put("occurred_at", event.occurredAt().toString());
        f.put("v", Integer.toString(VERSION));
        switch (event) {
            case UserRegistered e -> {
                f.put("email", e.email());
                f.put("name", e.name());
                tokenVersion(f, e.tokenVersion());
            }
            case UserUpdated e -> {
                f.put("email", e.email());
                f.put("name", e.name());
                tokenVersion(f, e.tokenVersion());
            }
            case UserDeleted e -> {
                f.put("email", e.email());
                tokenVersion(f, e.tokenVersion());
            }
            case MessageSent e -> {
                f.put("message_id", Long.toString(e.messageId()));
                f.put("sender_email", e.senderEmail());
                f.put("receiver_email", e.receiverEmail());
                f.put("preview", e.preview());
            }
            case MessageRead e -> {
                f.put("reader_email", e.readerEmail());
                f.put("with_email", e.withEmail());
                f.put("up_to_message_id", Long.toString(e.upToMessageId()));
            }
            case MessageDeleted e -> {
                f.put("message_id", Long.toString(e.messageId()));
                f.put("sender_email", e.senderEmail());
                f.put("receiver_email", e.receiverEmail());
            }
        }
        return f;
    }

    /** Written only when known: user-svc's scripts append it, since Redis assigns it. */
    private static void tokenVersion(Map<String, String> f, long version) {
        if (version > 0) {
            f.put(TOKEN_VERSION, Long.toString(version));
        }
    }

    /**
     * Turns stream fields back into an event.
     *
     * @throws EventDecodingException for an unknown type, an unsupported version, or a missing or
     *     malformed field; never a NullPointerException
     */
    public static DomainEvent decode(Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            throw new EventDecodingException("empty entry");
        }
        Fields f = new Fields(fields);
        String typeName = f.text("type");
        EventType type = EventType.fromWire(typeName)
                .orElseThrow(() -> new EventDecodingException("unknown event type '" + typeName + "'"));
        String version = f.text("v");
        if (!version.equals(Integer.toString(VERSION))) {
            throw new EventDecodingException("unsupported version v=" + version + " of " + typeName);
        }
        String id = f.text("event_id");
        Instant at = f.instant("occurred_at");
        return switch (type) {
            case USER_REGISTERED ->
                new UserRegistered(id, at, f.text("email"), f.text("name"), f.numberOrZero(TOKEN_VERSION));
            case USER_UPDATED ->
                new UserUpdated(id, at, f.text("email"), f.text("name"), f.numberOrZero(TOKEN_VERSION));
            case USER_DELETED -> new UserDeleted(id, at, f.text("email"), f.numberOrZero(TOKEN_VERSION));
            case MESSAGE_SENT ->
                new MessageSent(
                        id,
                        at,
                        f.number("message_id"),
                        f.text("sender_email"),
                        f.text("receiver_email"),
                        f.textOrEmpty("preview"));
            case MESSAGE_READ ->
                new MessageRead(id, at, f.text("reader_email"), f.text("with_email"), f.number("up_to_message_id"));
            case MESSAGE_DELETED ->
                new MessageDeleted(id, at, f.number("message_id"), f.text("sender_email"), f.text("receiver_email"));
        };
    }

    /** Typed, null-safe access to an entry's fields. */
    private record Fields(Map<String, String> raw) {
        String text(String name) {
            String value = raw.get(name);
            if (value == null || value.isBlank()) {
                throw new EventDecodingException("missing field '" + name + "'");
            }
            return value;
        }

        String textOrEmpty(String name) {
            String value = raw.get(name);
            return value == null ? "" : value;
        }

        long numberOrZero(String name) {
            return raw.get(name) == null ? 0 : number(name);
        }

        long number(String name) {
            String value = text(name);
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new EventDecodingException("field '" + name + "' is not a number: '" + value + "'");
            }
        }

        Instant instant(String name) {
            String value = text(name);
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new EventDecodingException("field '" + name + "' is not an ISO-8601 instant: '" + value + "'");
            }
        }
    }
}
