package parley.message.grpc;

import static parley.runtime.grpc.Replies.reply;
import static parley.runtime.grpc.Replies.replyWhenDone;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import parley.message.domain.Conversation;
import parley.message.domain.ConversationPage;
import parley.message.domain.Message;
import parley.message.domain.MessagePage;
import parley.message.domain.Messaging;
import parley.message.v1.DeleteMessageRequest;
import parley.message.v1.DeleteMessageResponse;
import parley.message.v1.GetMessagesRequest;
import parley.message.v1.GetMessagesResponse;
import parley.message.v1.ListConversationsRequest;
import parley.message.v1.ListConversationsResponse;
import parley.message.v1.MarkConversationReadRequest;
import parley.message.v1.MarkConversationReadResponse;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.message.v1.SendMessagesResult;
import parley.runtime.auth.Principal;
import parley.runtime.grpc.Caller;
import parley.runtime.grpc.Replies;

/** gRPC transport of message-svc: every rpc needs a token; rules live in {@link Messaging}. */
public final class MessageGrpcService extends MessageServiceGrpc.MessageServiceImplBase {
    /** One SendMessages request on its way: refused at once, or checked and waiting for its turn. */
    private static final class Queued {
        final long index;
        RuntimeException refused;
        Messaging.Checked checked;
        CompletableFuture<Message> result;

        Queued(long index) {
            this.index = index;
        }

        boolean isDecided() {
            return refused != null || (checked != null && checked.ready().isDone());
        }
    }

    /** The most SendMessages requests one stream may have unanswered. */
    public static final int MAX_UNANSWERED = 1000;

    private final Messaging messaging;

    public MessageGrpcService(Messaging messaging) {
        this.messaging = messaging;
    }

    @Override
    public void sendMessage(SendMessageRequest request, StreamObserver<parley.message.v1.Message> response) {
        // no thread waits: the reply is sent when Redis answers the grouped write
        replyWhenDone(
                response,
                messaging.sendAsync(
                        Caller.current(),
                        request.getSenderEmail(),
                        request.getReceiverEmail(),
                        request.getContent(),
                        request.getIdempotencyKey()),
                MessageGrpcService::toProto,
                "SendMessage");
    }

    /**
     * Each request is sent as it arrives and answered when done. Flow control is manual: the
     * stream asks for more requests only while fewer than {@link #MAX_UNANSWERED} are out, so a
     * client that sends faster than Redis answers is held back by gRPC itself.
     */
    @Override
    public StreamObserver<SendMessageRequest> sendMessages(StreamObserver<SendMessagesResult> results) {
        ServerCallStreamObserver<SendMessagesResult> out = (ServerCallStreamObserver<SendMessagesResult>) results;
        Principal caller = Caller.current(); // the context ends with this call; keep who it is
        out.disableAutoRequest();
        out.request(MAX_UNANSWERED);
        return new StreamObserver<>() {
            private long index;
            private int unanswered;
            private boolean halfClosed;

            // sends whose turn to be stored has not come: a send is stored only when every send before
            // it on this stream was (or failed), so the stream's order is kept even when a later
            // send's user check answers first. Drained iteratively, never by recursion.
            private final ArrayDeque<Queued> waiting = new ArrayDeque<>();

            @Override
            public void onNext(SendMessageRequest r) {
                Queued q;
                synchronized (this) {
                    q = new Queued(++index);
                    unanswered++;
                    waiting.add(q);
                }
                try {
                    q.checked = messaging.check(
                            caller, r.getSenderEmail(), r.getReceiverEmail(), r.getContent(), r.getIdempotencyKey());
                    q.checked.ready().whenComplete((ok, error) -> storeInOrder());
                } catch (RuntimeException e) {
                    q.refused = e;
                    storeInOrder();
                }
            }

            private void storeInOrder() {
                List<Queued> turn = new ArrayList<>();
                synchronized (this) {
                    while (!waiting.isEmpty() && waiting.peek().isDecided()) {
                        turn.add(waiting.poll());
                    }
                    // stores are submitted under the lock, so in stream order (ready is done, so thenCompose
                    // runs the store at once, on this thread); they never block
                    for (Queued q : turn) {
                        q.result = q.refused != null
                                ? CompletableFuture.failedFuture(q.refused)
                                : q.checked.ready().thenCompose(ok -> q.checked.store());
                    }
                }
                for (Queued q : turn) {
                    q.result.whenComplete((m, error) -> answer(q.index, m, error));
                }
            }

            private synchronized void answer(long i, Message m, Throwable error) {
                SendMessagesResult.Builder b = SendMessagesResult.newBuilder().setIndex(i);
                if (error == null) {
                    b.setMessage(toProto(m));
                } else {
                    Status status = Replies.status(error, "SendMessages");
                    b.setErrorCode(status.getCode().name())
                            .setErrorMessage(status.getDescription() == null ? "" : status.getDescription());
                }
                unanswered--;
                if (out.isCancelled()) {
                    return;
                }
                out.onNext(b.build());
                if (halfClosed && unanswered == 0) {
                    out.onCompleted();
                } else if (!halfClosed) {
                    out.request(1);
                }
            }

            @Override
            public void onError(Throwable t) {
                // the client went away; answers still due are dropped
            }

            @Override
            public synchronized void onCompleted() {
                halfClosed = true;
                if (unanswered == 0) {
                    out.onCompleted();
                }
            }
        };
    }

    @Override
    public void getMessages(GetMessagesRequest request, StreamObserver<GetMessagesResponse> response) {
        MessagePage page = messaging.messages(
                Caller.current(),
                request.getUserEmail(),
                request.hasWithEmail() ? request.getWithEmail() : null,
                request.getPageSize(),
                request.hasBeforeId() ? request.getBeforeId() : null);
        reply(
                response,
                GetMessagesResponse.newBuilder()
                        .addAllMessages(page.messages().stream()
                                .map(MessageGrpcService::toProto)
                                .toList())
                        .setNextBeforeId(page.nextBeforeId())
                        .build());
    }

    @Override
    public void listConversations(
            ListConversationsRequest request, StreamObserver<ListConversationsResponse> response) {
        ConversationPage page = messaging.conversations(
                Caller.current(), request.getUserEmail(), request.getPageSize(), request.getPageToken());
        reply(
                response,
                ListConversationsResponse.newBuilder()
                        .addAllConversations(page.conversations().stream()
                                .map(MessageGrpcService::toProto)
                                .toList())
                        .setNextPageToken(page.nextPageToken())
                        .build());
    }

    @Override
    public void markConversationRead(
            MarkConversationReadRequest request, StreamObserver<MarkConversationReadResponse> response) {
        long marked = messaging.markRead(Caller.current(), request.getUserEmail(), request.getWithEmail());
        reply(
                response,
                MarkConversationReadResponse.newBuilder().setMarked(marked).build());
    }

    @Override
    public void deleteMessage(DeleteMessageRequest request, StreamObserver<DeleteMessageResponse> response) {
        messaging.delete(Caller.current(), request.getId());
        reply(response, DeleteMessageResponse.newBuilder().setDeleted(true).build());
    }

    static parley.message.v1.Message toProto(Message m) {
        return parley.message.v1.Message.newBuilder()
                .setId(m.id())
                .setSenderEmail(m.senderEmail())
                .setReceiverEmail(m.receiverEmail())
                .setContent(m.content())
                .setTimestamp(m.timestamp().toString())
                .build();
    }

    static parley.message.v1.Conversation toProto(Conversation c) {
        parley.message.v1.Conversation.Builder b = parley.message.v1.Conversation.newBuilder()
                .setWithEmail(c.withEmail())
                .setMessageCount(c.messageCount())
                .setUnreadCount(c.unreadCount())
                .setUpdatedAt(c.updatedAt().toString());
        if (c.lastMessage() != null) {
            b.setLastMessage(toProto(c.lastMessage()));
        }
        return b.build();
    }
}
