package parley.notification.domain;

import java.util.List;

/** A listing: {@code reset} says the cursor was older than the retained history. */
public record NotificationList(List<Notification> notifications, boolean reset, long unreadCount) {}
