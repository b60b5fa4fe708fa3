package parley.runtime.grpc;

import io.grpc.stub.StreamObserver;

/** Completes a unary call: errors are thrown and mapped by {@link ErrorMappingInterceptor}. */
public final class Replies {
  private Replies() {}

  public static <T> void reply(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }
}
