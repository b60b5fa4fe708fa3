package parley.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import parley.events.EventCodec;
import parley.events.MessageSent;
import parley.launcher.RedisServerProcess;
import parley.runtime.redis.LuaScript;

/**
 * The Redis ceiling: how many messages per second Redis alone could carry on this machine, the
 * figure Parley's throughput is a fraction of.
 *
 * <p>The full-work ceiling (used when {@code redis-server} and {@code redis-benchmark} are on the
 * PATH): one message's whole Redis work as one Lua script ({@code full_work.lua}), driven by
 * {@code redis-benchmark} with 50 clients and pipelines of 16 against a private Redis with
 * append-only persistence (everysec), started on a free port for the measurement and stopped
 * after. Otherwise, the fallback: Parley's own commands per message (send.lua, create.lua, XACK,
 * PUBLISH, ZREM) pipelined with lettuce in scratch database 15 of the system's Redis, which the
 * client loop bounds well below Redis' own limit.
 */
final class RedisCeiling {
    private static final int SCRATCH_DB = 15;
    private static final int BATCH = 200;

    record Result(double messagesPerSecond, long messages, double seconds, int commandsPerMessage, String method) {}

    static Result run(String redisUrl, Duration duration) {
        try {
            Result full = fullWork(duration);
            if (full != null) {
                return full;
            }
        } catch (IOException | RuntimeException e) {
            System.err.println(
                    "full-work ceiling unavailable (" + e.getMessage() + "); measuring the pipelined fallback");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (redisUrl.contains(",")) { // a cluster's seeds: scratch database 15 does not exist there
            System.err.println(
                    "no full-work ceiling (redis-server and redis-benchmark are needed for it on a cluster)");
            return new Result(0, 0, 0, 0, "unavailable: the system runs on a Redis Cluster");
        }
        return pipelined(redisUrl, duration);
    }

    /** redis-benchmark, EVALSHA of full_work.lua, on a private AOF Redis; null when the tools are missing. */
    static Result fullWork(Duration duration) throws IOException, InterruptedException {
        if (!onPath("redis-server") || !onPath("redis-benchmark")) {
            return null;
        }
        RedisServerProcess redis;
        try {
            redis = RedisServerProcess.start(true); // append-only file, fsync every second
        } catch (RedisServerProcess.UnavailableException e) {
            throw new IOException(e.getMessage(), e);
        }
        int port = redis.port();
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try {
            String sha;
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                sha = c.sync().scriptLoad(resource("/parley/bench/full_work.lua"));
            }
            long n = Math.max(20_000, duration.toSeconds() * 40_000);
            long start = System.nanoTime();
            Process bench = new ProcessBuilder(
                            "redis-benchmark",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(port),
                            "-c",
                            "50",
                            "-P",
                            "16",
                            "-n",
                            Long.toString(n),
                            "-r",
                            "1000",
                            "-q",
                            "EVALSHA",
                            sha,
                            "0",
                            "__rand_int__")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            bench.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            Matcher m = Pattern.compile("([0-9.]+) requests per second").matcher(out);
            String rate = null;
            while (m.find()) {
                rate = m.group(1); // the last one is the final figure
            }
            if (rate == null) {
                throw new IOException("redis-benchmark printed no rate: " + out.strip());
            }
            return new Result(
                    Double.parseDouble(rate),
                    n,
                    seconds,
                    1,
                    "full-work script, redis-benchmark -c 50 -P 16, private Redis with AOF everysec");
        } finally {
            client.shutdown();
            redis.stop();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result pipelined(String redisUrl, Duration duration) {
        String send = resource("/parley/message/redis/send.lua");
        String create = resource("/parley/notification/redis/create.lua");
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setDatabase(SCRATCH_DB);
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisAsyncCommands<String, String> r = c.async();
            c.sync().flushdb();
            String sendSha = c.sync().scriptLoad(send);
            String createSha = c.sync().scriptLoad(create);
            c.setAutoFlushCommands(false);
            long messages = 0;
            Instant start = Instant.now();
            Instant end = start.plus(duration);
            List<RedisFuture<?>> inFlight = new ArrayList<>(BATCH * 5);
            while (Instant.now().isBefore(end)) {
                inFlight.clear();
                for (int i = 0; i < BATCH; i++) {
                    long n = messages + i;
                    String sender = "s" + (n % 16) + "@bench.io";
                    String receiver = "r" + (n % 16) + "@bench.io";
                    List<String> args = new ArrayList<>(List.of(
                            "message:",
                            sender,
                            receiver,
                            "bench content " + n,
                            Instant.now().toString(),
                            "100000",
                            sender,
                            receiver,
                            "message_id"));
                    LuaScript.appendFields(
                            args,
                            EventCodec.encode(new MessageSent(
                                    EventCodec.newEventId(), Instant.now(), 0, sender, receiver, "bench content")));
                    String conv = "conversation:" + receiver + ":" + sender;
                    inFlight.add(r.evalsha(
                            sendSha,
                            ScriptOutputType.INTEGER,
                            new String[] {
                                "message_id_counter",
                                conv,
                                conv + ":messages",
                                "user:" + sender + ":conversations",
                                "user:" + receiver + ":conversations",
                                "user:" + sender + ":messages",
                                "user:" + receiver + ":messages",
                                "events:messages"
                            },
                            args.toArray(String[]::new)));
                    // a current stream id: an id older than the dedupe memory would be ignored, not created
                    String id = System.currentTimeMillis() + "-" + n;
                    String json = "{\"id\":\"__ID__\",\"sender_email\":\"" + sender + "\",\"receiver_email\":\""
                            + receiver + "\",\"message_id\":" + n
                            + ",\"preview\":\"bench content\",\"timestamp\":\"2026-11-23T00:00:00Z\",\"read\":false}";
                    inFlight.add(r.evalsha(
                            createSha,
                            ScriptOutputType.MULTI,
                            new String[] {
                                "notifications:" + receiver,
                                "notifications:" + receiver + ":pending",
                                "notifications:" + receiver + ":horizon",
                                "subscriptions",
                                "notification_event:" + n
                            },
                            receiver,
                            "500",
                            "604800",
                            "1",
                            id,
                            json));
                    inFlight.add(r.xack("events:messages", "notification-svc", id));
                    inFlight.add(r.publish("notify:" + receiver, json));
                    inFlight.add(r.zrem("notifications:" + receiver + ":pending", id));
                }
                c.flushCommands();
                if (!LettuceFutures.awaitAll(30, TimeUnit.SECONDS, inFlight.toArray(RedisFuture[]::new))) {
                    throw new IllegalStateException("Redis did not answer the ceiling batch in time");
                }
                messages += BATCH;
            }
            double seconds = Duration.between(start, Instant.now()).toNanos() / 1e9;
            c.setAutoFlushCommands(true);
            c.sync().flushdb();
            return new Result(
                    messages / seconds, messages, seconds, 5, "Parley's commands pipelined with lettuce (fallback)");
        } finally {
            client.shutdown();
        }
    }

    private static String resource(String path) {
        try (InputStream in = RedisCeiling.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
