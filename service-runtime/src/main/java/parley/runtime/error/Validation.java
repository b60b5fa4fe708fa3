package parley.runtime.error;

import java.nio.charset.StandardCharsets;
import parley.rules.Emails;
import parley.rules.NotificationIds;

/** Input checks shared by every service; each failure is an INVALID_ARGUMENT naming the field. */
public final class Validation {
    private Validation() {}

    /** A valid email in its normal form ({@link Emails}). */
    public static String email(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ServiceException.invalid(field + " is required");
        }
        return Emails.normalized(value)
                .orElseThrow(() -> ServiceException.invalid(field + " is not a valid email address: '"
                        + (value.length() > 80 ? value.substring(0, 80) + "…" : value) + "'"));
    }

    /** Non-blank text of at most {@code maxChars} characters, trimmed. */
    public static String text(String field, String value, int maxChars) {
        if (value == null || value.isBlank()) {
            throw ServiceException.invalid(field + " is required");
        }
        String v = value.trim();
        if (v.length() > maxChars) {
            throw ServiceException.invalid(field + " must be at most " + maxChars + " characters");
        }
        return v;
    }

    /** A notification id (the stream id of its event, e.g. {@code 1732320000000-0}), trimmed. */
    public static String notificationId(String field, String id) {
        String v = id == null ? "" : id.trim();
        if (!NotificationIds.isValid(v)) {
            throw ServiceException.invalid(
                    field + " must be a notification id such as 1732320000000-0, got '" + id + "'");
        }
        return v;
    }

    /** A page size: 0 means the default, otherwise 1 to max. */
    public static int pageSize(int requested, int defaultSize, int max) {
        if (requested == 0) {
            return defaultSize;
        }
        if (requested < 1 || requested > max) {
            throw ServiceException.invalid("page_size must be between 1 and " + max + ", got " + requested);
        }
        return requested;
    }

    /** UTF-8 size of a string, counting unpaired surrogates as invalid. */
    public static int utf8Bytes(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw ServiceException.invalid(field + " is not valid UTF-8 text");
                }
                i++;
            } else if (Character.isLowSurrogate(c) || c == '\u0000') {
                throw ServiceException.invalid(field + " is not valid UTF-8 text");
            }
        }
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
