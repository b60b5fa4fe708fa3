package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.PeerChannel;
import parley.testkit.HttpJson;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;
import parley.user.v1.UserServiceGrpc;

/**
 * Every rpc of every service (read from the generated service descriptors) and every REST route of
 * every service (read from the running services' route tables), so a new one is in it at once,
 * called by each kind of caller against the real services:
 *
 * <ul>
 *   <li>no token; a tampered, an expired and a revoked (password changed) user token;
 *   <li>a user's token, with an empty request ("user"), and with a request naming another user
 *       everywhere an email goes ("other user's data");
 *   <li>each service's token.
 * </ul>
 *
 * A cell says whether the call got past authentication and authorization (✓; the request may then
 * be refused as invalid or not found) or was refused: 401 (UNAUTHENTICATED) or 403
 * (PERMISSION_DENIED). The generated tables must equal those in docs/security.md.
 */
@ExtendWith(RedisExtension.class)
class AuthorizationMatrixTest {
    private static final List<String> SERVICES = List.of("user-svc", "message-svc", "notification-svc", "frontend-svc");
    private static final String ME = "matrix@example.com";
    private static final String VICTIM = "victim@example.com";
    private final TestRedis redis;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ParleyStack stack;
    /** A message the victim sent (to the caller): what "other user's data" tries to delete. */
    private long victims;

    private final List<ManagedChannel> channels = new ArrayList<>();

    /** A caller: its token, and whether its requests name the victim instead of the caller. */
    private record Caller(String token, boolean naming) {}

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
    void everyRpcAndRouteAdmitsExactlyTheCallersTheDocsSay() throws Exception {
        stack = new ParleyStack(redis);
        String user = stack.register(ME);
        String victim = stack.register(VICTIM);
        victims = stack.send(victim, ME, "mine").json().path("id").asLong();
        assertThat(victims).isPositive();
        String revoked = stack.register("revoked@example.com");
        HttpJson users = new HttpJson(stack.users.httpPort());
        assertThat(users.put(
                                "/users/revoked@example.com",
                                HttpJson.obj("password", "another-pass", "current_password", "secret-pass"),
                                revoked)
                        .status())
                .isEqualTo(200);
        TokenService past = new TokenService(
                ParleyStack.SECRET.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)));

        Map<String, Caller> callers = new LinkedHashMap<>();
        callers.put("no token", new Caller(null, false));
        callers.put(
                "tampered",
                new Caller(user.substring(0, user.length() - 3) + (user.endsWith("AAA") ? "BBB" : "AAA"), false));
        callers.put("expired", new Caller(stack.token(past, ME), false));
        callers.put("revoked", new Caller(revoked, false));
        callers.put("user", new Caller(user, false));
        callers.put("other user's data", new Caller(user, true));
        for (String s : SERVICES) {
            callers.put(s, new Caller(stack.tokens.issueService(s).token(), false));
        }
        // every service has learned the revocation before the table is drawn
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> stack.web().get("/api/me", revoked).status() == 401);

        StringBuilder rpcs = header("rpc", callers);
        Map<ServiceDescriptor, Integer> ports = Map.of(
                UserServiceGrpc.getServiceDescriptor(), stack.users.grpcPort(),
                MessageServiceGrpc.getServiceDescriptor(), stack.messages.grpcPort(),
                NotificationServiceGrpc.getServiceDescriptor(), stack.notifications.grpcPort(),
                FrontendServiceGrpc.getServiceDescriptor(), stack.frontendGrpc);
        for (ServiceDescriptor service : List.of(
                UserServiceGrpc.getServiceDescriptor(),
                MessageServiceGrpc.getServiceDescriptor(),
                NotificationServiceGrpc.getServiceDescriptor(),
                FrontendServiceGrpc.getServiceDescriptor())) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", ports.get(service))
                    .usePlaintext()
                    .build();
            channels.add(channel);
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                rpcs.append("| `")
                        .append(method.getFullMethodName().replace("parley.", ""))
                        .append("` |");
                for (Caller caller : callers.values()) {
                    rpcs.append(' ').append(outcome(channel, method, caller)).append(" |");
                }
                rpcs.append('\n');
            }
        }

        StringBuilder routes = header("route", callers);
        for (ServiceHost host : List.of(stack.users, stack.messages, stack.notifications, stack.frontend)) {
            for (String route : host.routes()) {
                routes.append("| ")
                        .append(
                                host == stack.frontend
                                        ? "frontend "
                                        : host == stack.users
                                                ? "user "
                                                : host == stack.messages ? "message " : "notification ");
                routes.append('`').append(route).append("` |");
                for (Caller caller : callers.values()) {
                    routes.append(' ')
                            .append(outcome(host.httpPort(), route, caller))
                            .append(" |");
                }
                routes.append('\n');
            }
        }

        String docs = Files.readString(Path.of("..", "docs", "security.md"));
        assertThat(docs).as("docs/security.md must hold this table:\n" + rpcs).contains(rpcs.toString());
        assertThat(docs).as("docs/security.md must hold this table:\n" + routes).contains(routes.toString());
    }

    private static Object field(Message m, String name) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        return f == null ? null : m.getField(f);
    }

    private static StringBuilder header(String first, Map<String, Caller> callers) {
        StringBuilder table =
                new StringBuilder("| " + first + " | " + String.join(" | ", callers.keySet()) + " |\n|---|");
        return table.append("---|".repeat(callers.size())).append('\n');
    }

    private static String cell(int code) {
        return switch (code) {
            case 401 -> "401";
            case 403 -> "403";
            default -> "✓";
        };
    }

    /** One REST call: the path's parameters (and a body's emails) name the caller, or the victim. */
    private String outcome(int port, String route, Caller caller) throws Exception {
        String method = route.substring(0, route.indexOf(' '));
        String who = caller.naming() ? VICTIM : ME;
        String path = route.substring(route.indexOf(' ') + 1)
                .replace("{email}", who)
                .replace("{id}", caller.naming() ? Long.toString(victims) : "999999999");
        String body = method.equals("GET")
                ? null
                : HttpJson.obj("email", who, "receiver_email", who, "current_password", "x");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (caller.token() != null) {
            request.header("Authorization", "Bearer " + caller.token());
        }
        // the status is known with the headers; a live stream (/events) would not end by itself
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        response.body().close();
        int code = response.statusCode();
        if (route.equals("GET /ready") && code == 503) {
            return "✓"; // not ready (a peer reconnecting): that is the answer /ready exists to give
        }
        assertThat(code).as("%s as %s", route, caller).isLessThan(500);
        return cell(code);
    }

    /**
     * ✓, 401 or 403 for one call. Its request names the caller (or the victim) wherever a string
     * goes, and the victim's message wherever a number goes (or an id that does not exist).
     */
    @SuppressWarnings("unchecked")
    private <Q, R> String outcome(ManagedChannel channel, MethodDescriptor<Q, R> method, Caller caller)
            throws Exception {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
        if (caller.token() != null) {
            options = options.withCallCredentials(PeerChannel.bearer(caller.token()));
        }
        ClientCall<Q, R> call = channel.newCall(method, options);
        CompletableFuture<Status> result = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(R message) {
                        // an answer: it got in (a stream would go on), unless it is a stream's per-request error
                        Object code = field((Message) message, "error_code");
                        result.complete("PERMISSION_DENIED".equals(code) ? Status.PERMISSION_DENIED : Status.OK);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        result.complete(status);
                    }
                },
                new Metadata());
        call.request(1);
        Message.Builder request = ((Message)
                        ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype())
                .newBuilderForType();
        for (FieldDescriptor f : request.getDescriptorForType().getFields()) {
            if (f.isRepeated()) {
                continue;
            }
            switch (f.getJavaType()) {
                case STRING ->
                    request.setField(f, f.getName().contains("email") ? (caller.naming() ? VICTIM : ME) : "x");
                case LONG -> request.setField(f, caller.naming() ? victims : 999_999_999L);
                default -> {}
            }
        }
        call.sendMessage((Q) request.build());
        call.halfClose();
        Status status = result.get(10, TimeUnit.SECONDS);
        call.cancel("done", null);
        assertThat(status.getCode())
                .as("%s as %s", method.getFullMethodName(), caller)
                .isNotIn(Status.Code.INTERNAL, Status.Code.UNKNOWN);
        return switch (status.getCode()) {
            case UNAUTHENTICATED -> "401";
            case PERMISSION_DENIED -> "403";
            default -> "✓";
        };
    }
}
