package parley.frontend.live;

import java.util.List;
import parley.contract.NotificationJson.Parsed;

/** Where a live session writes: an SSE response or a gRPC stream. Called from one thread at a time. */
public interface LiveSink {
    /**
     * Writes notifications in order and flushes once; false when the client is gone. {@code
     * cursors.get(i)} is the highest id written on this connection once item i is written, the id a
     * client resumes after (it never moves back, even if notifications from several
     * notification-svc instances arrive slightly out of order).
     */
    boolean send(List<Parsed> notifications, List<String> cursors);

    /** What the connection is ({@code sse}, {@code grpc}), for traces. */
    String transport();

    /** Tells the client its cursor is older than the retained history: refetch the list. */
    void reset();

    /** A visible keep-alive, where the transport has one; false when the client is gone. */
    default boolean heartbeat(String at) {
        return true;
    }

    /** Ends the connection (server shutting down, or the client is too slow). */
    void close(String reason);

    /** Ends the connection because the client's credentials no longer hold (token expired). */
    default void revoke(String reason) {
        close(reason);
    }
}
