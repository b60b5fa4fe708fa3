package parley.runtime.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Completes a unary call: errors are thrown and mapped by {@link ErrorMappingInterceptor}. */
public final class Replies {
    private Replies() {}

    public static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }

    /**
     * Completes a unary call when asynchronous work is done, from whichever thread finishes it (no
     * thread waits): with {@code toReply} of its value, or with its error mapped as a thrown one
     * would be.
     */
    public static <V, T> void replyWhenDone(
            StreamObserver<T> response, CompletionStage<V> work, Function<V, T> toReply, String method) {
        work.whenComplete((value, error) -> {
            if (error != null) {
                response.onError(status(error, method).asRuntimeException());
            } else {
                reply(response, toReply.apply(value));
            }
        });
    }

    /** The status an asynchronous failure maps to (the cause, not its CompletionException wrapper). */
    public static Status status(Throwable error, String method) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return ErrorMappingInterceptor.toStatus(cause, method);
    }
}
