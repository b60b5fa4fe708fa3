package parley.frontend.live;

import parley.notification.v1.Notification;

/** Where a live session writes: an SSE response or a gRPC stream. Called from one thread at a time. */
public interface LiveSink {
  /**
   * Writes one notification; false when the client is gone. {@code cursor} is the highest id
   * written on this connection so far, the id a client resumes after (it never moves back, even
   * if notifications from several notification-svc instances arrive slightly out of order).
   */
  boolean send(Notification notification, String cursor);

  /** Tells the client its cursor is older than the retained history: refetch the list. */
  void reset();

  /** Ends the connection (server shutting down, or the client is too slow). */
  void close(String reason);
}
