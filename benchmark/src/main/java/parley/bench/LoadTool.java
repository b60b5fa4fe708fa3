package parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Parley's end-to-end load tool. Reports sends/s accepted, notifications/s delivered, latency
 * percentiles, errors, whether every message was notified exactly once, and the same work's Redis
 * ceiling, as a table and a JSON file. See docs/benchmark.md.
 */
public final class LoadTool {
    /** Above this, the report says the measured phase began with the warm-up's backlog. */
    static final double BEHIND_NOTE_MS = 100;

    private LoadTool() {}

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(args);
        Map<String, Object> report = run(o);
        System.out.println(table(report));
        Files.createDirectories(o.out().toAbsolutePath().getParent());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(o.out().toFile(), report);
        System.out.println("JSON: " + o.out().toAbsolutePath());
        System.exit(0);
    }

    static Map<String, Object> run(BenchOptions o) throws Exception {
        try (SystemUnderTest sut =
                o.inProcess() ? SystemUnderTest.inProcess() : SystemUnderTest.target(o.host(), o.redisUrl())) {
            return run(o, sut);
        }
    }

    static Map<String, Object> run(BenchOptions o, SystemUnderTest sut) throws Exception {
        LoadRun.Result r = new LoadRun(sut, o).run();
        RedisCeiling.Result ceiling = RedisCeiling.run(sut.redisUrl, o.ceilingDuration());
        double sendsPerSecond = r.sent() / r.seconds();
        double deliveredPerSecond = r.received() / (r.seconds() + r.drainSeconds());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("at", Instant.now().toString());
        report.put("mode", o.inProcess() ? "in-process" : "target " + o.host());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("pairs", o.pairs());
        report.put("senders", o.senders());
        report.put("duration_s", o.duration().toSeconds());
        report.put("warmup_s", o.warmup().toSeconds());
        report.put("offered_rate", o.rate() == 0 ? "flat out" : o.rate());
        report.put("sent", r.sent());
        report.put("in_flight", o.inFlight());
        report.put(
                "send_path",
                o.bulk() ? "SendMessages stream" : o.http() ? "HTTP POST /messages + SSE" : "SendMessage unary");
        report.put("errors", r.errors());
        report.put("subscribe_errors", r.streamErrors());
        report.put("last_error", r.lastError());
        report.put("notified", r.received());
        report.put("duplicates", r.duplicates());
        report.put("missing", r.missing());
        report.put("exactly_once", r.duplicates() == 0 && r.missing() == 0 && r.sent() > 0);
        report.put("sends_per_s", round(sendsPerSecond));
        report.put("notifications_per_s", round(deliveredPerSecond));
        report.put("end_to_end_ms", percentiles(r.endToEnd()));
        report.put("send_call_ms", percentiles(r.sendCall()));
        // end-to-end split at the stream (the notification id's millisecond): send + store, and the rest
        report.put("to_stream_ms", percentiles(r.toStream()));
        report.put("stream_to_receiver_ms", percentiles(r.streamToReceiver()));
        report.put("drain_s", round(r.drainSeconds()));
        report.put("behind_schedule_at_start_ms", o.rate() > 0 ? round(r.behindAtStartMs()) : null);
        report.put("cpu_ms_per_message", r.cpuMsPerMessage());
        report.put("jit_share_of_cpu", r.jitShare() < 0 ? null : Math.round(r.jitShare() * 1000) / 1000.0);
        report.put("rss_kb_after", r.rssKbAfter());
        if (o.idle() > 0) {
            report.put("idle_sessions", o.idle());
            report.put("rss_kb_before_idle_sessions", r.rssKbBeforeIdle());
            report.put("rss_kb_with_idle_sessions", r.rssKbWithIdle());
        }
        report.put("redis_ceiling_messages_per_s", round(ceiling.messagesPerSecond()));
        report.put("redis_ceiling_commands_per_message", ceiling.commandsPerMessage());
        report.put("redis_ceiling_method", ceiling.method());
        report.put(
                "fraction_of_ceiling",
                ceiling.messagesPerSecond() > 0
                        ? Math.round(sendsPerSecond / ceiling.messagesPerSecond() * 10000) / 10000.0
                        : 0.0);
        return report;
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        p.put("p50", ms(h.getValueAtPercentile(50)));
        p.put("p90", ms(h.getValueAtPercentile(90)));
        p.put("p99", ms(h.getValueAtPercentile(99)));
        p.put("max", ms(h.getMaxValue()));
        return p;
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> r) {
        Map<String, Object> e2e = (Map<String, Object>) r.get("end_to_end_ms");
        Map<String, Object> call = (Map<String, Object>) r.get("send_call_ms");
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                "%nParley load run (%s, %s cores, %s pairs, %s, %s in flight, %ss, %s)%n",
                r.get("mode"),
                r.get("cores"),
                r.get("pairs"),
                r.get("send_path"),
                r.get("in_flight"),
                r.get("duration_s"),
                r.get("offered_rate")));
        b.append("+-------------------------------+----------------+\n");
        row(b, "sends accepted / s", r.get("sends_per_s"));
        row(b, "notifications delivered / s", r.get("notifications_per_s"));
        row(b, "sent / notified", r.get("sent") + " / " + r.get("notified"));
        row(b, "send / Subscribe errors", r.get("errors") + " / " + r.get("subscribe_errors"));
        row(b, "duplicates / missing", r.get("duplicates") + " / " + r.get("missing"));
        row(b, "exactly once", r.get("exactly_once"));
        row(b, "end-to-end p50 / p90 ms", e2e.get("p50") + " / " + e2e.get("p90"));
        row(b, "end-to-end p99 / max ms", e2e.get("p99") + " / " + e2e.get("max"));
        row(b, "SendMessage call p50 / p99 ms", call.get("p50") + " / " + call.get("p99"));
        Map<String, Object> to = (Map<String, Object>) r.get("to_stream_ms");
        Map<String, Object> from = (Map<String, Object>) r.get("stream_to_receiver_ms");
        if (((Number) to.get("count")).longValue() > 0) {
            row(b, "to the stream p50 / p99 ms", to.get("p50") + " / " + to.get("p99"));
            row(b, "stream to receiver p50 / p99", from.get("p50") + " / " + from.get("p99"));
        }
        row(b, "Redis ceiling (msgs/s)", r.get("redis_ceiling_messages_per_s"));
        row(b, "Parley / ceiling", r.get("fraction_of_ceiling"));
        row(b, "drain after the load (s)", r.get("drain_s"));
        if (r.get("behind_schedule_at_start_ms") != null) {
            row(b, "behind schedule at start ms", r.get("behind_schedule_at_start_ms"));
        }
        if (r.get("jit_share_of_cpu") instanceof Number jit) {
            row(b, "JIT compiling, share of CPU", Math.round(jit.doubleValue() * 1000) / 10.0 + " %");
        }
        b.append("+-------------------------------+----------------+\n");
        ((Map<String, Object>) r.get("cpu_ms_per_message")).forEach((proc, ms) -> row(b, "CPU ms/msg " + proc, ms));
        ((Map<String, Object>) r.get("rss_kb_after"))
                .forEach((proc, kb) -> row(b, "RSS MiB " + proc, ((Number) kb).longValue() / 1024));
        if (r.containsKey("idle_sessions")) {
            Map<String, Object> before = (Map<String, Object>) r.get("rss_kb_before_idle_sessions");
            ((Map<String, Object>) r.get("rss_kb_with_idle_sessions")).forEach((proc, kb) -> {
                if (before.get(proc) instanceof Number was) {
                    row(
                            b,
                            "idle session KiB " + proc,
                            (((Number) kb).longValue() - was.longValue())
                                    / Math.max(1, ((Number) r.get("idle_sessions")).longValue()));
                }
            });
        }
        if (!"".equals(r.get("last_error"))) {
            b.append("last error: ").append(r.get("last_error")).append('\n');
        }
        if (r.get("behind_schedule_at_start_ms") instanceof Number late && late.doubleValue() > BEHIND_NOTE_MS) {
            b.append(String.format(
                    "note: the measured phase began %.0f ms behind its schedule (the warm-up's backlog), so its first"
                            + " sends count that wait; a longer --warmup lets the system catch up first%n",
                    late.doubleValue()));
        }
        if (r.get("jit_share_of_cpu") instanceof Number jit && jit.doubleValue() > ProcCpu.WARM_JIT_SHARE) {
            b.append(String.format(
                    "note: the JIT compilers took %.0f %% of the CPU while measuring, so the system was not warm"
                            + " yet; a longer --warmup (60 s or more on two cores) measures a warm one%n",
                    jit.doubleValue() * 100));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Object value) {
        b.append(String.format("| %-29s | %14s |%n", name, value));
    }
}
