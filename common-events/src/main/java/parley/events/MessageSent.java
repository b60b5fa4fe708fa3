package parley.events;

import java.time.Instant;

/** A message was stored. {@code preview} is the start of its content, enough for a notification. */
public record MessageSent(
        String eventId, Instant occurredAt, long messageId, String senderEmail, String receiverEmail, String preview)
        implements DomainEvent {

    /** How many characters of a message a preview keeps (an ellipsis marks a cut). */
    public static final int PREVIEW_CHARS = 140;

    /**
     * The preview of a message's content: all of it up to {@link #PREVIEW_CHARS} characters, else
     * that many followed by "…", never cutting a surrogate pair in half.
     */
    public static String previewOf(String content) {
        if (content == null) {
            return "";
        }
        if (content.length() <= PREVIEW_CHARS) {
            return content;
        }
        int end = PREVIEW_CHARS;
        if (Character.isHighSurrogate(content.charAt(end - 1))) {
            end--;
        }
        return content.substring(0, end) + "…";
    }
}
