package parley.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import parley.contract.NotificationJson;
import parley.events.DomainEvent;
import parley.events.EventCodec;
import parley.events.MessageSent;
import parley.notification.v1.Notification;
import parley.runtime.auth.Principal;
import parley.runtime.auth.TokenService;

/**
 * The per-message hot paths: the event codec (every send encodes, every consumed entry decodes),
 * token verification (every request) and the live notification's Pub/Sub payload (written once,
 * read by every subscribed frontend-svc instance), against protobuf's JsonFormat it replaced.
 * {@code java -cp benchmark/target/benchmark.jar:benchmark/target/lib/* org.openjdk.jmh.Main HotPath}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {
    private final MessageSent event = new MessageSent(
            "2f1c3a8e-5b0d-4c7e-9a61-0f7d2b9c4e11",
            Instant.parse("2026-11-23T10:15:30.123Z"),
            123456,
            "uni@example.com",
            "fc@example.com",
            "Hola fc! Are we still on for Friday?");
    private final Map<String, String> fields = EventCodec.encode(event);
    private final TokenService tokens =
            new TokenService("bench-secret-bench-secret-bench-secret".getBytes(StandardCharsets.UTF_8));
    private final String token = tokens.issueUser("uni@example.com").token();
    private final Notification notification = Notification.newBuilder()
            .setId("1795463208941-0")
            .setSenderEmail("uni@example.com")
            .setReceiverEmail("fc@example.com")
            .setMessageId(123456)
            .setPreview("Hola fc! Are we still on for Friday?")
            .setTimestamp("2026-11-23T10:15:30.123Z")
            .build();

    @Benchmark
    public Map<String, String> encodeMessageSent() {
        return EventCodec.encode(event);
    }

    @Benchmark
    public DomainEvent decodeMessageSent() {
        return EventCodec.decode(fields);
    }

    @Benchmark
    public Principal verifyUserToken() {
        return tokens.verify(token);
    }

    @Benchmark
    public Notification pubSubPayloadWriteAndRead() {
        return NotificationJson.read(NotificationJson.write(notification));
    }

    @Benchmark
    public Notification pubSubPayloadWriteAndReadWithProtobufJsonFormat() throws InvalidProtocolBufferException {
        Notification.Builder b = Notification.newBuilder();
        JsonFormat.parser()
                .ignoringUnknownFields()
                .merge(JsonFormat.printer().omittingInsignificantWhitespace().print(notification), b);
        return b.build();
    }
}
