package parley.rules;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What counts as an email address here. Emails are keys, so each has one normal form. */
public final class Emails {
    // Pragmatic address check: one @, no spaces, a dot in the domain, sane length.
    private static final Pattern EMAIL =
            Pattern.compile("^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,63}$");
    private static final int MAX_LENGTH = 254;

    private Emails() {}

    /** The address trimmed and lower-cased, or empty when it is not a valid address. */
    public static Optional<String> normalized(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        return v.length() <= MAX_LENGTH && EMAIL.matcher(v).matches() ? Optional.of(v) : Optional.empty();
    }
}
