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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.Awaitility;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.message.v1.MessageServiceGrpc;
import parley.notification.v1.NotificationServiceGrpc;
import parley.runtime.ServiceHost;
import parley.runtime.error.ServiceException;
import parley.runtime.error.Validation;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.http.HttpHost;
import parley.testkit.HttpJson;
import parley.testkit.TestRedis;
import parley.user.v1.UserServiceGrpc;

/**
 * Property-based fuzzing (jqwik) of the whole system, in process against a real Redis: every REST
 * route of every service (read from the running services' route tables) and every rpc of every
 * service descriptor gets 500 bad inputs each. None may answer 5xx (gRPC INTERNAL, UNKNOWN,
 * DATA_LOSS, UNAVAILABLE), and none may store anything: every database's key count and every
 * stream's length are the same after each try as before it.
 */
class FuzzTest {
    private static final Set<Status.Code> SERVER_ERRORS =
            Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS, Status.Code.UNAVAILABLE);
    /** The internal rpcs, called with the token of the service allowed to (see AuthorizationMatrixTest). */
    private static final Map<String, String> CALLER = Map.of(
            "CheckUserExists", "message-svc",
            "CreateNotification", "message-svc",
            "AckDelivered", "frontend-svc",
            "AckDeliveredBatch", "frontend-svc",
            "ReceiveNotification", "notification-svc",
            "PushNotifications", "notification-svc");

    private static ParleyStack stack;
    private static String user;
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private static final Map<ServiceDescriptor, ManagedChannel> grpc = new LinkedHashMap<>();
    private static final Map<ServiceHost, List<String>> rest = new LinkedHashMap<>();
    private static String before;

    @BeforeContainer
    static void start() {
        TestRedis redis = TestRedis.shared();
        redis.flushAll();
        stack = new ParleyStack(redis);
        user = stack.register("fuzz@example.com");
        add(UserServiceGrpc.getServiceDescriptor(), stack.users.grpcPort());
        add(MessageServiceGrpc.getServiceDescriptor(), stack.messages.grpcPort());
        add(NotificationServiceGrpc.getServiceDescriptor(), stack.notifications.grpcPort());
        add(FrontendServiceGrpc.getServiceDescriptor(), stack.frontendGrpc);
        for (ServiceHost host : List.of(stack.users, stack.messages, stack.notifications, stack.frontend)) {
            rest.put(host, host.routes());
        }
        assertThat(rest.values().stream().mapToInt(List::size).sum()).isGreaterThan(25);
        // settled: the registration's event has been consumed and nothing else is going on
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ofSeconds(1))
                .until(() -> {
                    String now = stored();
                    boolean same = now.equals(before);
                    before = now;
                    return same;
                });
    }

    private static void add(ServiceDescriptor service, int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
        channels.add(channel);
        grpc.put(service, channel);
    }

    @AfterContainer
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (stack != null) {
            stack.close();
        }
    }

    /** Key counts of the three databases and the length of each stream. */
    private static String stored() {
        StringBuilder s = new StringBuilder();
        for (int db = 0; db < 3; db++) {
            try (var c = stack.redis.connect(db)) {
                s.append(db).append(':').append(c.sync().dbsize()).append(' ');
                for (String stream :
                        List.of("events:users", "events:messages", "events:messages:dead", "events:users:dead")) {
                    s.append(stream).append('=').append(c.sync().xlen(stream)).append(' ');
                }
            }
        }
        return s.toString();
    }

    /** Every key (only shown when something was stored). */
    private static String keys() {
        StringBuilder s = new StringBuilder();
        for (int db = 0; db < 3; db++) {
            try (var c = stack.redis.connect(db)) {
                s.append(db)
                        .append(": ")
                        .append(c.sync().keys("*").stream()
                                .limit(20)
                                .map(k -> k.length() > 60 ? k.substring(0, 60) + "…" : k)
                                .toList())
                        .append('\n');
            }
        }
        return s.toString();
    }

    // --- inputs -------------------------------------------------------------------------------

    /** Strings a user should not send: never a valid email (so no call can succeed by chance). */
    @Provide
    Arbitrary<String> nasty() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().all().ofMaxLength(40),
                        Arbitraries.strings()
                                .withCharRange('\u0000', '\u001f')
                                .ofMinLength(1)
                                .ofMaxLength(10),
                        Arbitraries.strings().alpha().ofMinLength(3000).ofMaxLength(6000),
                        Arbitraries.of(
                                "",
                                " ",
                                "null",
                                "@",
                                "a@",
                                "@b.io",
                                "a@@b.io",
                                "<script>alert(1)</script>",
                                "\u0000",
                                "💥💥",
                                "../../etc/passwd",
                                "%00",
                                "' OR '1'='1",
                                "a".repeat(250) + "@example.com",
                                "9223372036854775808",
                                "-1",
                                "1-",
                                "-",
                                "1795000000000-0-0",
                                "\uD800",
                                "fuzz@example.com\r\nX-Injected: 1",
                                "*",
                                "{}",
                                "[]"))
                .filter(FuzzTest::notAnEmail);
    }

    private static boolean notAnEmail(String s) {
        try {
            Validation.email("x", s);
            return false;
        } catch (ServiceException e) {
            return true;
        }
    }

    @Provide
    Arbitrary<List<String>> nastyList() {
        return nasty().list().ofMinSize(12).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Long> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MAX_VALUE + 1, 1001L));
    }

    /** A body that no route may accept: not JSON, the wrong JSON type, unknown or duplicate keys, cut short, or far too big. */
    @Provide
    Arbitrary<String> badBody() {
        Arbitrary<String> text = nasty();
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, text),
                net.jqwik.api.Tuple.of(
                        10,
                        Arbitraries.of(
                                "null",
                                "[]",
                                "[1,2]",
                                "42",
                                "\"text\"",
                                "true",
                                "{",
                                "{\"email\":",
                                "{}}",
                                "{\"a\":1}{\"b\":2}")),
                net.jqwik.api.Tuple.of(10, text.map(t -> "{\"unexpected\": " + quote(t) + "}")),
                net.jqwik.api.Tuple.of(
                        10,
                        text.map(t -> "{\"email\": " + quote(t) + ", \"email\": \"x\", \"password\": 1, \"extra\": ["
                                + quote(t) + "]}")),
                net.jqwik.api.Tuple.of(
                        10,
                        text.map(t -> "{\"receiver_email\": " + quote(t)
                                + ", \"content\": {\"nested\": true}, \"zzz\": null}")),
                // over the 64 KiB body limit
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.strings().alpha().ofLength(70_000).map(t -> "{\"content\": \"" + t + "\"}")));
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    // --- REST ---------------------------------------------------------------------------------

    @Property(tries = 500)
    void everyRestRouteRefusesBadInputWithoutA5xxAndStoresNothing(
            @ForAll("badBody") String body, @ForAll("nastyList") List<String> values) {
        Iterator<String> next = values.iterator();
        String previous = "";
        for (Map.Entry<ServiceHost, List<String>> service : rest.entrySet()) {
            HttpJson http = new HttpJson(service.getKey().httpPort());
            for (String route : service.getValue()) {
                String method = route.substring(0, route.indexOf(' '));
                String path = route.substring(route.indexOf(' ') + 1);
                if (!next.hasNext()) {
                    next = values.iterator();
                }
                String value = next.next();
                String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
                String target = path.replaceAll("\\{[^}]+}", encoded.isEmpty() ? "%20" : encoded) + "?page_size="
                        + encoded + "&page_token=" + encoded + "&with=" + encoded + "&after=" + encoded
                        + "&last_event_id=x" + encoded + "&before_id=" + encoded;
                HttpJson.Reply reply;
                try {
                    reply = http.send(method, target, method.equals("GET") ? null : body, user);
                } catch (java.io.UncheckedIOException closed) {
                    // a kept-alive connection the server had closed (after refusing an oversized body
                    // unread): the client may send again; the same failure twice is a real one
                    try {
                        reply = http.send(method, target, method.equals("GET") ? null : body, user);
                    } catch (java.io.UncheckedIOException again) {
                        if (body.length() > HttpHost.MAX_BODY_BYTES) {
                            continue; // refused before it was all sent: the server closed the connection on it
                        }
                        throw new AssertionError(route + " with " + abbreviate(body) + ": " + again, again);
                    }
                }
                assertThat(reply.status())
                        .as(
                                "%s %s with body %s (after %s) answered %s %s",
                                method,
                                target,
                                abbreviate(body),
                                previous,
                                reply.body(),
                                reply.raw().headers().map())
                        .isLessThan(500);
                previous = method + " " + abbreviate(target) + " -> " + reply.status() + " "
                        + reply.raw().version();
            }
        }
        assertThat(stored())
                .as(
                        "nothing stored; keys now: %s",
                        new Object() {
                            @Override
                            public String toString() {
                                return keys();
                            }
                        })
                .isEqualTo(before);
    }

    /** Authorization values that are not a valid token: garbage, cut, re-signed, other schemes. */
    @Provide
    Arbitrary<String> badAuthorization() {
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300);
        return Arbitraries.oneOf(
                ascii,
                ascii.map(s -> "Bearer " + s),
                ascii.map(s -> "Basic " + s),
                Arbitraries.integers()
                        .between(1, 200)
                        .map(cut -> "Bearer " + user.substring(0, Math.max(0, user.length() - cut))),
                ascii.map(s -> "Bearer " + user.substring(0, user.lastIndexOf('.') + 1) + s.replace(" ", "")),
                ascii.map(s -> "Bearer eyJhbGciOiJub25lIn0." + s.replace(" ", "") + "."),
                Arbitraries.strings().alpha().ofLength(20_000).map(s -> "Bearer " + s));
    }

    /** Garbage credentials and headers on every route and rpc: refused with a 4xx, nothing stored. */
    @Property(tries = 500)
    void garbageCredentialsAndHeadersAreRefusedWithoutA5xx(
            @ForAll("badAuthorization") String authorization, @ForAll("badBody") String body) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        for (Map.Entry<ServiceHost, List<String>> service : rest.entrySet()) {
            for (String route : service.getValue()) {
                String method = route.substring(0, route.indexOf(' '));
                String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "fuzz%40example.com");
                var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + service.getKey().httpPort() + path))
                        .timeout(Duration.ofSeconds(15))
                        .method(
                                method,
                                method.equals("GET")
                                        ? java.net.http.HttpRequest.BodyPublishers.noBody()
                                        : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .header("Authorization", authorization)
                        .header(
                                "Content-Type",
                                authorization.length() > 100
                                        ? "application/json; charset=" + authorization.substring(0, 50)
                                        : "text/x-garbage")
                        .header(
                                "Last-Event-ID",
                                authorization.length() > 100 ? authorization.substring(0, 100) : authorization)
                        .header(
                                "Idempotency-Key",
                                authorization.length() > 100 ? authorization.substring(0, 100) : authorization)
                        .header(
                                "Cookie",
                                "parley_session="
                                        + authorization.replace(";", "").replace(",", ""))
                        .build();
                java.net.http.HttpResponse<java.io.InputStream> response;
                try {
                    response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                } catch (java.io.IOException closed) {
                    try {
                        response = client.send(
                                request, java.net.http.HttpResponse.BodyHandlers.ofInputStream()); // see above
                    } catch (java.io.IOException again) {
                        if (!method.equals("GET") && body.length() > HttpHost.MAX_BODY_BYTES) {
                            continue; // refused before it was all sent: the server closed the connection on it
                        }
                        throw again;
                    }
                }
                response.body().close();
                int status = response.statusCode();
                if (route.equals("GET /ready") && status == 503) {
                    continue; // not ready: that is what /ready answers
                }
                assertThat(status)
                        .as("%s with Authorization %s", route, abbreviate(authorization))
                        .isLessThan(500);
            }
        }
        for (Map.Entry<ServiceDescriptor, ManagedChannel> service : grpc.entrySet()) {
            for (MethodDescriptor<?, ?> method : service.getKey().getMethods()) {
                // (gRPC's own client refuses metadata over the 8 KiB header list a server accepts)
                Status status = callWith(
                        service.getValue(),
                        method,
                        authorization.length() > 7000 ? authorization.substring(0, 7000) : authorization);
                assertThat(status.getCode())
                        .as("%s with %s: %s", method.getFullMethodName(), abbreviate(authorization), status)
                        .isNotIn(SERVER_ERRORS);
            }
        }
        assertThat(stored()).as("nothing stored").isEqualTo(before);
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> Status callWith(ManagedChannel channel, MethodDescriptor<Q, R> method, String authorization)
            throws Exception {
        ClientCall<Q, R> call = channel.newCall(
                method,
                CallOptions.DEFAULT
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .withCallCredentials(new io.grpc.CallCredentials() {
                            @Override
                            public void applyRequestMetadata(
                                    RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
                                Metadata headers = new Metadata();
                                headers.put(
                                        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                                        authorization);
                                applier.apply(headers);
                            }
                        }));
        CompletableFuture<Status> result = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(R message) {
                        result.complete(Status.OK);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        result.complete(status);
                    }
                },
                new Metadata());
        call.request(1);
        call.sendMessage((Q) ((Message)
                        ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype())
                .getDefaultInstanceForType());
        call.halfClose();
        Status status = result.get(10, TimeUnit.SECONDS);
        call.cancel("done", null);
        return status;
    }

    // --- gRPC ---------------------------------------------------------------------------------

    @Property(tries = 500)
    void everyRpcRefusesBadInputWithoutAServerErrorAndStoresNothing(
            @ForAll("nastyList") List<String> strings, @ForAll("numbers") long number, @ForAll boolean flag)
            throws Exception {
        for (Map.Entry<ServiceDescriptor, ManagedChannel> service : grpc.entrySet()) {
            for (MethodDescriptor<?, ?> method : service.getKey().getMethods()) {
                Status status = call(service.getValue(), method, strings, number, flag);
                assertThat(status.getCode())
                        .as("%s with %s: %s", method.getFullMethodName(), strings, status)
                        .isNotIn(SERVER_ERRORS);
            }
        }
        assertThat(stored())
                .as(
                        "nothing stored; keys now: %s",
                        new Object() {
                            @Override
                            public String toString() {
                                return keys();
                            }
                        })
                .isEqualTo(before);
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> Status call(
            ManagedChannel channel, MethodDescriptor<Q, R> method, List<String> strings, long number, boolean flag)
            throws Exception {
        String caller = CALLER.get(method.getBareMethodName());
        String token = caller == null ? user : stack.tokens.issueService(caller).token();
        ClientCall<Q, R> call = channel.newCall(
                method,
                CallOptions.DEFAULT
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .withCallCredentials(PeerChannel.bearer(token)));
        CompletableFuture<Status> result = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(R message) {
                        result.complete(Status.OK);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        result.complete(status);
                    }
                },
                new Metadata());
        call.request(1);
        Message prototype = (Message)
                ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype();
        call.sendMessage((Q) fill(prototype.newBuilderForType(), strings.iterator(), strings, number, flag, 0)
                .build());
        call.halfClose();
        Status status = result.get(10, TimeUnit.SECONDS);
        call.cancel("done", null);
        return status;
    }

    /** Every field of the request set from the inputs (messages inside it too, two levels deep). */
    private static Message.Builder fill(
            Message.Builder b, Iterator<String> next, List<String> strings, long number, boolean flag, int depth) {
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            Object value = switch (f.getJavaType()) {
                case STRING -> {
                    if (!next.hasNext()) {
                        next = strings.iterator();
                    }
                    yield next.next();
                }
                case INT -> (int) number;
                case LONG -> number;
                case BOOLEAN -> flag;
                case MESSAGE ->
                    depth < 2
                            ? fill(b.newBuilderForField(f), next, strings, number, flag, depth + 1)
                                    .build()
                            : null;
                default -> null;
            };
            if (value == null) {
                continue;
            }
            if (f.isRepeated()) {
                b.addRepeatedField(f, value);
                b.addRepeatedField(f, value);
            } else {
                b.setField(f, value);
            }
        }
        return b;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "… (" + s.length() + " chars)" : s;
    }
}
