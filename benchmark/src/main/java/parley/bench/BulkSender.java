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
    private final Map<Long, Sent> sentByIndex = new ConcurrentHashMap<>();
    private long index;

    /** A send awaiting its answer: when it was meant to leave, and the tally (warm-up or measured) it counts in. */
    private record Sent(long intended, Tally tally) {}

    BulkSender(MessageServiceGrpc.MessageServiceStub stub, Semaphore inFlight) {
        this.requests = stub.sendMessages(new StreamObserver<SendMessagesResult>() {
            @Override
            public void onNext(SendMessagesResult r) {
                Sent sent = sentByIndex.remove(r.getIndex());
                if (r.hasMessage()) {
                    sent.tally().sent(r.getMessage().getId(), sent.intended());
                } else {
                    sent.tally().sendFailed(r.getErrorCode() + ": " + r.getErrorMessage());
                }
                inFlight.release();
            }

            @Override
            public void onError(Throwable t) {
                sentByIndex.values().forEach(sent -> sent.tally().sendFailed("SendMessages: " + t));
                inFlight.release(sentByIndex.size());
                sentByIndex.clear();
            }

            @Override
            public void onCompleted() {}
        });
    }

    synchronized void send(SendMessageRequest request, long intended, Tally tally) {
        sentByIndex.put(++index, new Sent(intended, tally));
        requests.onNext(request);
    }

    synchronized void close() {
        requests.onCompleted();
    }
}
