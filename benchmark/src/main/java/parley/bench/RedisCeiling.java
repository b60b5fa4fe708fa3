package parley.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import parley.events.EventCodec;
import parley.events.MessageSent;

/**
 * The Redis ceiling: the commands one send and its notification cost in Parley, driven straight
 * at the same Redis with lettuce, pipelined, in a scratch database (15, flushed before and after):
 * the message-svc send script, the notification-svc create script, XACK, PUBLISH, and the LREM of
 * AckDelivered. (XREADGROUP is batched 100 at a time in Parley and left out.)
 */
final class RedisCeiling {
  private static final int SCRATCH_DB = 15;
  private static final int BATCH = 200;

  record Result(double messagesPerSecond, long messages, double seconds, int commandsPerMessage) {}

  static Result run(String redisUrl, Duration duration) {
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
          List<String> args = new ArrayList<>(List.of("message:", sender, receiver, "bench content " + n, Instant.now().toString(), "100000", sender, receiver, "message_id"));
          parley.runtime.redis.LuaScript.appendFields(args, EventCodec.encode(new MessageSent(EventCodec.newEventId(), Instant.now(), 0, sender, receiver, "bench content")));
          String conv = "conversation:" + receiver + ":" + sender;
          inFlight.add(r.evalsha(sendSha, ScriptOutputType.INTEGER,
              new String[] {"message_id_counter", conv, conv + ":messages", "user:" + sender + ":conversations", "user:" + receiver + ":conversations", "user:" + sender + ":messages", "user:" + receiver + ":messages", "events:messages"},
              args.toArray(String[]::new)));
          String id = (1_700_000_000_000L + n) + "-0";
          String json = "{\"id\":\"__ID__\",\"sender_email\":\"" + sender + "\",\"receiver_email\":\"" + receiver + "\",\"message_id\":" + n + ",\"preview\":\"bench content\",\"timestamp\":\"2026-11-23T00:00:00Z\",\"read\":false}";
          inFlight.add(r.evalsha(createSha, ScriptOutputType.MULTI,
              new String[] {"notification_event:" + n, "notifications:" + receiver, "notifications:" + receiver + ":pending", "notifications:" + receiver + ":horizon", "subscriptions"},
              id, json, receiver, "500", "604800", "1"));
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
      return new Result(messages / seconds, messages, seconds, 5);
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
