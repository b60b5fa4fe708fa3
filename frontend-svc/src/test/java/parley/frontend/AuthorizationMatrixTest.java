package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.message.v1.MessageServiceGrpc;
import parley.notification.v1.NotificationServiceGrpc;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;
import parley.user.v1.UserServiceGrpc;

/**
 * Every rpc of every service (read from the generated service descriptors, so a new rpc is in it
 * at once), called with no token, a user's token and each service's token, against the real
 * services. A cell says whether the call got past authentication and authorization (✓; the empty
 * request may then be refused as invalid) or was refused: 401 (UNAUTHENTICATED) or 403
 * (PERMISSION_DENIED). The generated table must equal the one in docs/security.md.
 */
@ExtendWith(RedisExtension.class)
class AuthorizationMatrixTest {
  private static final List<String> SERVICES = List.of("user-svc", "message-svc", "notification-svc", "frontend-svc");
  private final TestRedis redis;
  private ParleyStack stack;
  private final List<ManagedChannel> channels = new ArrayList<>();

  AuthorizationMatrixTest(TestRedis redis) {
    this.redis = redis;
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyRpcAdmitsExactlyTheCallersTheDocsSay() throws Exception {
    stack = new ParleyStack(redis);
    String user = stack.register("matrix@example.com");
    Map<String, String> callers = new LinkedHashMap<>();
    callers.put("no token", null);
    callers.put("user", user);
    for (String s : SERVICES) {
      callers.put(s, stack.tokens.issueService(s).token());
    }
    Map<ServiceDescriptor, Integer> ports =
        Map.of(
            UserServiceGrpc.getServiceDescriptor(), stack.users.grpcPort(),
            MessageServiceGrpc.getServiceDescriptor(), stack.messages.grpcPort(),
            NotificationServiceGrpc.getServiceDescriptor(), stack.notifications.grpcPort(),
            FrontendServiceGrpc.getServiceDescriptor(), stack.frontendGrpc);

    StringBuilder table = new StringBuilder("| rpc | " + String.join(" | ", callers.keySet()) + " |\n|---|");
    table.append("---|".repeat(callers.size())).append('\n');
    for (ServiceDescriptor service : List.of(UserServiceGrpc.getServiceDescriptor(), MessageServiceGrpc.getServiceDescriptor(), NotificationServiceGrpc.getServiceDescriptor(), FrontendServiceGrpc.getServiceDescriptor())) {
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", ports.get(service)).usePlaintext().build();
      channels.add(channel);
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        table.append("| `").append(method.getFullMethodName().replace("parley.", "")).append("` |");
        for (String token : callers.values()) {
          table.append(' ').append(outcome(channel, method, token)).append(" |");
        }
        table.append('\n');
      }
    }

    String docs = Files.readString(Path.of("..", "docs", "security.md"));
    assertThat(docs).as("docs/security.md must hold this table:\n" + table).contains(table.toString());
  }

  /** ✓, 401 or 403 for one call with an empty request. */
  @SuppressWarnings("unchecked")
  private static <Q, R> String outcome(ManagedChannel channel, MethodDescriptor<Q, R> method, String token) throws Exception {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
    if (token != null) {
      options = options.withCallCredentials(PeerChannel.bearer(token));
    }
    ClientCall<Q, R> call = channel.newCall(method, options);
    CompletableFuture<Status> result = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(R message) {
            result.complete(Status.OK); // an answer: it got in (a stream would go on)
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            result.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    Q empty = (Q) ((Message) ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype()).getDefaultInstanceForType();
    call.sendMessage(empty);
    call.halfClose();
    Status status = result.get(10, TimeUnit.SECONDS);
    call.cancel("done", null);
    return switch (status.getCode()) {
      case UNAUTHENTICATED -> "401";
      case PERMISSION_DENIED -> status.getDescription() != null && status.getDescription().startsWith("you may only") ? "✓" : "403";
      default -> "✓";
    };
  }
}
