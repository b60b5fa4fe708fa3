package parley.frontend.http;

import parley.runtime.error.ServiceException;

/** A client's replay cursor: the id of the last notification it saw. */
public final class Cursor {
  private Cursor() {}

  public static String valid(String id) {
    String v = id.trim();
    if (!v.matches("\\d{1,19}-\\d{1,19}")) {
      throw ServiceException.invalid("the last event id must be a notification id such as 1732320000000-0, got '" + id + "'");
    }
    return v;
  }
}
