package parley.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/HTTP trace receiver ({@code POST /v1/traces}, {@code application/x-protobuf}) on a
 * free port, for the services under test to export to. It decodes ExportTraceServiceRequest by
 * field number (opentelemetry-proto's {@code trace.proto}), which needs no generated classes.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span. Ids are lower-case hex; {@code parentSpanId} is empty for a root. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, int kind) {}

    final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                decode(body);
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0); // an empty ExportTraceServiceResponse
            } catch (InvalidProtocolBufferException e) {
                exchange.sendResponseHeaders(400, -1);
            }
            exchange.close();
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }  KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string string_value = 1; }  ScopeSpans { repeated Span spans = 2; }
    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; }
    private void decode(byte[] body) throws InvalidProtocolBufferException {
        for (ByteString resourceSpans : field(UnknownFieldSet.parseFrom(body), 1)) {
            UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
            String service = "";
            for (ByteString resource : field(rs, 1)) {
                for (ByteString kv : field(UnknownFieldSet.parseFrom(resource), 1)) {
                    UnknownFieldSet pair = UnknownFieldSet.parseFrom(kv);
                    if (text(pair, 1).equals("service.name")) {
                        service = field(pair, 2).isEmpty()
                                ? ""
                                : text(UnknownFieldSet.parseFrom(field(pair, 2).get(0)), 1);
                    }
                }
            }
            for (ByteString scopeSpans : field(rs, 2)) {
                for (ByteString span : field(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
                    UnknownFieldSet s = UnknownFieldSet.parseFrom(span);
                    List<Long> kind = s.hasField(6) ? s.getField(6).getVarintList() : List.of();
                    spans.add(new ReceivedSpan(
                            service,
                            hex(s, 1),
                            hex(s, 2),
                            hex(s, 4),
                            text(s, 5),
                            kind.isEmpty() ? 0 : kind.get(0).intValue()));
                }
            }
        }
    }

    private static List<ByteString> field(UnknownFieldSet set, int number) {
        return set.hasField(number) ? set.getField(number).getLengthDelimitedList() : List.of();
    }

    private static String text(UnknownFieldSet set, int number) {
        List<ByteString> values = field(set, number);
        return values.isEmpty() ? "" : values.get(0).toStringUtf8();
    }

    private static String hex(UnknownFieldSet set, int number) {
        List<ByteString> values = field(set, number);
        return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
