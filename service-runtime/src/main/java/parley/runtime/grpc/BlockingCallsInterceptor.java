package parley.runtime.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * For a server that runs on its transport's event loop: the calls of every method not named
 * non-blocking are moved to a bounded pool, one call's callbacks in order. The non-blocking ones
 * (which only start asynchronous work) then cost no thread hand-off, which is most of what a
 * cheap rpc costs; the others cannot stall the event loop while they wait for Redis.
 *
 * <p>The pool has {@value #THREADS} threads and a queue of {@value #QUEUE} callbacks; past that a
 * new call is refused with RESOURCE_EXHAUSTED rather than queued without limit.
 */
public final class BlockingCallsInterceptor implements ServerInterceptor, AutoCloseable {
    static final int THREADS = 32;
    static final int QUEUE = 10_000;

    private final Predicate<String> nonBlocking;
    private final ThreadPoolExecutor pool;

    /** @param nonBlocking full method names ({@code package.Service/Method}) handled in place */
    public BlockingCallsInterceptor(Predicate<String> nonBlocking) {
        this(nonBlocking, THREADS, QUEUE);
    }

    BlockingCallsInterceptor(Predicate<String> nonBlocking, int threads, int queue) {
        this.nonBlocking = nonBlocking;
        AtomicInteger n = new AtomicInteger();
        this.pool =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, "grpc-blocking-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (nonBlocking.test(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        return new Offloaded<>(next.startCall(call, headers), call, MoreExecutors.newSequentialExecutor(pool));
    }

    /** Every callback of one call, run on the pool in the order the transport gave them. */
    private final class Offloaded<Q> extends SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, ?> call;
        private final Executor serial;

        Offloaded(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, Executor serial) {
            super(delegate);
            this.call = call;
            this.serial = serial;
        }

        private void run(Runnable step) {
            try {
                serial.execute(step);
            } catch (RejectedExecutionException e) {
                // nothing of this call runs now (a sequential executor hands work to the pool only when
                // idle), so the call can be closed from here
                if (!pool.isShutdown()) {
                    try {
                        call.close(
                                Status.RESOURCE_EXHAUSTED.withDescription(
                                        "server busy: too many calls waiting; retry later"),
                                new Metadata());
                    } catch (IllegalStateException alreadyClosed) {
                        // closed meanwhile
                    }
                }
            }
        }

        @Override
        public void onMessage(Q message) {
            run(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            run(super::onHalfClose);
        }

        @Override
        public void onCancel() {
            run(super::onCancel);
        }

        @Override
        public void onComplete() {
            run(super::onComplete);
        }

        @Override
        public void onReady() {
            run(super::onReady);
        }
    }

    /** Callbacks waiting for a thread. */
    int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
