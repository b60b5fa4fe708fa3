package parley.bench;

import java.nio.file.Path;
import java.time.Duration;

/** Command-line options of the load tool. */
public record BenchOptions(
        boolean inProcess,
        String host,
        String redisUrl,
        int pairs,
        int senders,
        int inFlight,
        boolean bulk,
        boolean http,
        int idle,
        Duration duration,
        Duration warmup,
        int rate,
        Duration ceilingDuration,
        Duration drain,
        Path out,
        int instances) {

    static final String USAGE = """
      usage: scripts/bench [options]      (or java -jar benchmark/target/benchmark.jar with a JDK 21+)
        --in-process          start Redis and the four services inside this JVM (default: target a running system)
        --host H              host of a running system on the standard ports (default localhost)
        --redis URL           the same Redis the system uses, for the ceiling run and its CPU (default
                              redis://localhost:6379); for a Redis Cluster its seed list, redis://h:p,redis://h:p,…
        --pairs N             sender/receiver user pairs (default 8)
        --senders N           threads issuing sends (default 2; sends are asynchronous)
        --in-flight N         most sends awaiting their answer at once (default 512)
        --bulk                send over one SendMessages stream per sender instead of unary SendMessage
        --http                the path people use: POST /messages (keep-alive HTTP/1.1) and receivers on SSE /events
        --idle N              also hold N idle live sessions (100 per extra user, nobody writes to them), e.g. 10000
        --duration S          seconds of measured load (default 20)
        --warmup S            seconds of the same load first, not measured, so the JIT is warm (default 10)
        --rate R              offered sends per second in total, open loop: latency counts from each
                              send's intended time; 0 = flat out (default 0)
        --drain S             seconds to wait after the load for the last notifications (default 60)
        --ceiling-seconds S   seconds of the Redis ceiling run (default 5)
        --out FILE            JSON result file (default benchmark/target/results/bench-<time>.json)
        --instances N         the system runs N instances of message-svc and frontend-svc (PARLEY_INSTANCES=N
                              ./run.sh: instance k on the standard ports + 100 (k - 1)); sender i sends to
                              message-svc i mod N, receiver i subscribes at frontend-svc i mod N (gRPC; default 1)
      """;

    static BenchOptions parse(String[] args) {
        boolean inProcess = false;
        String host = "localhost";
        String redis = "redis://localhost:6379";
        int pairs = 8;
        int senders = 2;
        int inFlight = 512;
        boolean bulk = false;
        boolean http = false;
        int idle = 0;
        int drain = 60;
        int duration = 20;
        int warmup = 10;
        int rate = 0;
        int ceiling = 5;
        Path out = null;
        int instances = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--in-process" -> inProcess = true;
                case "--host" -> host = args[++i];
                case "--redis" -> redis = args[++i];
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--senders" -> senders = Integer.parseInt(args[++i]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
                case "--bulk" -> bulk = true;
                case "--http" -> http = true;
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--drain" -> drain = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--ceiling-seconds" -> ceiling = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--instances" -> instances = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (out == null) {
            out = Path.of("benchmark", "target", "results", "bench-" + System.currentTimeMillis() + ".json");
        }
        if (bulk && http) {
            throw new IllegalArgumentException("--bulk and --http exclude each other");
        }
        if (instances < 1 || instances > 4 || (instances > 1 && (http || inProcess))) {
            throw new IllegalArgumentException(
                    "--instances must be 1 to 4, and only against a running system over gRPC");
        }
        if (pairs < 1 || pairs > 1000) {
            throw new IllegalArgumentException("--pairs must be 1 to 1000");
        }
        return new BenchOptions(
                inProcess,
                host,
                redis,
                pairs,
                senders,
                inFlight,
                bulk,
                http,
                idle,
                Duration.ofSeconds(duration),
                Duration.ofSeconds(warmup),
                rate,
                Duration.ofSeconds(ceiling),
                Duration.ofSeconds(drain),
                out,
                instances);
    }
}
