package parley.message.grpc;

import static parley.runtime.grpc.Replies.reply;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
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
import parley.runtime.grpc.Caller;
import parley.runtime.grpc.ErrorMappingInterceptor;

/** gRPC transport of message-svc: every rpc needs a token; rules live in {@link Messaging}. */
public final class MessageGrpcService extends MessageServiceGrpc.MessageServiceImplBase {
  private final Messaging messaging;

  public MessageGrpcService(Messaging messaging) {
    this.messaging = messaging;
  }

  @Override
  public void sendMessage(SendMessageRequest request, StreamObserver<parley.message.v1.Message> response) {
    // no thread waits: the reply is sent when Redis answers the grouped write
    messaging
        .sendAsync(Caller.current(), request.getSenderEmail(), request.getReceiverEmail(), request.getContent())
        .whenComplete(
            (m, error) -> {
              if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                response.onError(ErrorMappingInterceptor.toStatus(cause, "SendMessage").asRuntimeException());
              } else {
                reply(response, toProto(m));
              }
            });
  }

  @Override
  public void getMessages(GetMessagesRequest request, StreamObserver<GetMessagesResponse> response) {
    MessagePage page =
        messaging.messages(
            Caller.current(),
            request.getUserEmail(),
            request.hasWithEmail() ? request.getWithEmail() : null,
            request.getPageSize(),
            request.hasBeforeId() ? request.getBeforeId() : null);
    reply(
        response,
        GetMessagesResponse.newBuilder()
            .addAllMessages(page.messages().stream().map(MessageGrpcService::toProto).toList())
            .setNextBeforeId(page.nextBeforeId())
            .build());
  }

  @Override
  public void listConversations(ListConversationsRequest request, StreamObserver<ListConversationsResponse> response) {
    ConversationPage page = messaging.conversations(Caller.current(), request.getUserEmail(), request.getPageSize(), request.getPageToken());
    reply(
        response,
        ListConversationsResponse.newBuilder()
            .addAllConversations(page.conversations().stream().map(MessageGrpcService::toProto).toList())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  @Override
  public void markConversationRead(MarkConversationReadRequest request, StreamObserver<MarkConversationReadResponse> response) {
    long marked = messaging.markRead(Caller.current(), request.getUserEmail(), request.getWithEmail());
    reply(response, MarkConversationReadResponse.newBuilder().setMarked(marked).build());
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
    parley.message.v1.Conversation.Builder b =
        parley.message.v1.Conversation.newBuilder()
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
