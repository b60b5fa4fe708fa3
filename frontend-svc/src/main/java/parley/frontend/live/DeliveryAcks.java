package parley.frontend.live;

import java.util.List;

/** Confirms live delivery to notification-svc (AckDelivered), without blocking the caller. */
public interface DeliveryAcks {
  void ack(String email, List<String> ids);

  /** The client reconnected with {@code cursor}: everything pending up to it was delivered earlier. */
  void ackUpTo(String email, String cursor);
}
