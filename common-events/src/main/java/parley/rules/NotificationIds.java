package parley.rules;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Notification ids look like Redis stream ids ({@code <ms>-<seq>}) and grow per user in creation
 * order (normally the id of the event that caused the notification); this compares them
 * numerically. Both notification-svc (cursors, listing) and frontend-svc (replay) order by it.
 */
public final class NotificationIds {
    public static final Comparator<String> ORDER = NotificationIds::compare;
    private static final Pattern FORMAT = Pattern.compile("\\d{1,19}-\\d{1,19}");

    private NotificationIds() {}

    /** Whether {@code id} has the form of a notification id, e.g. {@code 1732320000000-0}. */
    public static boolean isValid(String id) {
        return id != null && FORMAT.matcher(id).matches();
    }

    public static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        int c = Long.compare(x[0], y[0]);
        return c != 0 ? c : Long.compare(x[1], y[1]);
    }

    private static long[] parse(String id) {
        int dash = id.indexOf('-');
        try {
            return dash < 0
                    ? new long[] {Long.parseLong(id), 0}
                    : new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
        } catch (NumberFormatException e) {
            return new long[] {0, 0};
        }
    }
}
