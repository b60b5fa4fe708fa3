package parley.frontend.live;

import java.util.List;
import parley.notification.v1.Notification;

/** What a client has missed: notifications after its cursor plus every pending one, in id order. */
public interface Replay {
  record Missed(List<Notification> notifications, boolean reset) {}

  Missed missed(String email, String afterId);
}
