package parley.rules;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What counts as an email address here. Emails are keys, so each has one normal form. */
public final class Emails {
    /**
     * Pragmatic address check: one @, no spaces, a dot in the domain, sane length. This pattern is
     * the rule's definition; {@link #valid} is the same rule checked by hand, since every pushed
     * notification and every request is checked and the pattern's repeated group allocates on each
     * match (a test holds the two equal).
     */
    static final Pattern EMAIL =
            Pattern.compile("^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,63}$");

    private static final int MAX_LENGTH = 254;

    private Emails() {}

    /** The address trimmed and lower-cased, or empty when it is not a valid address. */
    public static Optional<String> normalized(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        return v.length() <= MAX_LENGTH && valid(v) ? Optional.of(v) : Optional.empty();
    }

    /** Whether {@code v} matches {@link #EMAIL}, without a regex. */
    static boolean valid(String v) {
        int at = v.indexOf('@');
        if (at < 1 || at > 64) {
            return false;
        }
        for (int i = 0; i < at; i++) {
            if (!localChar(v.charAt(i))) {
                return false;
            }
        }
        // the domain: two or more non-empty labels of letters, digits and '-', the last 2-63 letters
        int labelStart = at + 1;
        int labels = 0;
        for (int i = labelStart; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : '.';
            if (c == '.') {
                if (i == labelStart) {
                    return false;
                }
                labels++;
                if (i == v.length()) {
                    return labels >= 2 && topLevel(v, labelStart, i);
                }
                labelStart = i + 1;
            } else if (!(letterOrDigit(c) || c == '-')) {
                return false;
            }
        }
        return false;
    }

    private static boolean topLevel(String v, int from, int to) {
        if (to - from < 2 || to - from > 63) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean localChar(char c) {
        return letterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '\'' || c == '-';
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
