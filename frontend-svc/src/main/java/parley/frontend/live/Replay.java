package parley.frontend.live;

import java.util.List;
import parley.notification.v1.Notification;

/**
 * What a client has missed: every pending notification (whatever its id) plus those after its
 * cursor, in id order, a page at a time.
 */
public interface Replay {
    /** The most one page holds; a shorter page is the last. */
    int PAGE_SIZE = 500;

    record Missed(List<Notification> notifications, boolean reset) {}

    /**
     * @param afterId the client's cursor, or null
     * @param pageAfter the last id of the previous page, or null for the first
     */
    Missed missed(String email, String afterId, String pageAfter);
}
