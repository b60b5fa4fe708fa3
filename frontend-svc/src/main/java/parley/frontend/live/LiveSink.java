package parley.frontend.live;

import parley.notification.v1.Notification;

/** Where a live session writes: an SSE response or a gRPC stream. Called from one thread at a time. */
public interface LiveSink {
  /** Writes one notification; false when the client is gone. */
  boolean send(Notification notification);

  /** Tells the client its cursor is older than the retained history: refetch the list. */
  void reset();

  /** Ends the connection (server shutting down, or the client is too slow). */
  void close(String reason);
}
