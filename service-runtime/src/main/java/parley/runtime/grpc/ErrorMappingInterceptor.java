package parley.runtime.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Unavailable;

/**
 * Maps exceptions thrown by service implementations to gRPC statuses, in one place: a {@link
 * ServiceException} keeps its code and message; anything else is logged and answered INTERNAL
 * without details (no stack trace over the wire).
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                guard(call, () -> super.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                guard(call, super::onHalfClose);
            }
        };
    }

    private static void guard(ServerCall<?, ?> call, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            Status status = toStatus(e, call.getMethodDescriptor().getFullMethodName());
            try {
                call.close(status, new Metadata());
            } catch (IllegalStateException alreadyClosed) {
                log.debug("call already closed when mapping {}", status);
            }
        }
    }

    public static Status toStatus(Throwable e, String method) {
        if (e instanceof ServiceException se) {
            return Status.fromCode(se.code().grpcCode()).withDescription(se.getMessage());
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (Unavailable.is(e)) {
            log.warn("{}: {}", method, e.toString());
            return Status.UNAVAILABLE.withDescription(Unavailable.MESSAGE);
        }
        log.error("unexpected failure in {}", method, e);
        return Status.INTERNAL.withDescription("internal error; see the service log");
    }
}
