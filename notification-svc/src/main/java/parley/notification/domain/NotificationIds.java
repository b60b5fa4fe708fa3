package parley.notification.domain;

import java.util.Comparator;
import parley.runtime.error.Validation;

/**
 * Notification ids are Redis stream ids ({@code <ms>-<seq>}) of the event that caused them, so
 * they are ordered; this compares them numerically.
 */
public final class NotificationIds {
  public static final Comparator<String> ORDER = NotificationIds::compare;

  private NotificationIds() {}

  public static int compare(String a, String b) {
    long[] x = parse(a);
    long[] y = parse(b);
    int c = Long.compare(x[0], y[0]);
    return c != 0 ? c : Long.compare(x[1], y[1]);
  }

  /** Checks a client-supplied id (after_id, Last-Event-ID). */
  public static String valid(String field, String id) {
    return Validation.notificationId(field, id);
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
