package parley.bench;

import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.message.v1.SendMessagesResult;

/** One SendMessages stream of one sender; answers are matched to their send by index. */
final class BulkSender {
    private final StreamObserver<SendMessageRequest> requests;
    private final Map<Long, Long> intendedByIndex = new ConcurrentHashMap<>();
    private long index;

    BulkSender(MessageServiceGrpc.MessageServiceStub stub, Semaphore inFlight, boolean measured, Tally tally) {
        this.requests = stub.sendMessages(new StreamObserver<SendMessagesResult>() {
            @Override
            public void onNext(SendMessagesResult r) {
                Long intended = intendedByIndex.remove(r.getIndex());
                if (measured) {
                    if (r.hasMessage()) {
                        tally.sent(r.getMessage().getId(), intended);
                    } else {
                        tally.sendFailed(r.getErrorCode() + ": " + r.getErrorMessage());
                    }
                }
                inFlight.release();
            }

            @Override
            public void onError(Throwable t) {
                tally.sendFailed("SendMessages: " + t);
                inFlight.release(intendedByIndex.size());
                intendedByIndex.clear();
            }

            @Override
            public void onCompleted() {}
        });
    }

    synchronized void send(SendMessageRequest request, long intended) {
        intendedByIndex.put(++index, intended);
        requests.onNext(request);
    }

    synchronized void close() {
        requests.onCompleted();
    }
}
