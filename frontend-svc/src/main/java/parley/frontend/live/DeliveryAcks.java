package parley.frontend.live;

import java.util.List;

/** Confirms live delivery to notification-svc (AckDelivered), without blocking the caller. */
public interface DeliveryAcks {
    /** These ids were written to the client (only those: a cursor proves nothing about pending ones). */
    void ack(String email, List<String> ids);
}
