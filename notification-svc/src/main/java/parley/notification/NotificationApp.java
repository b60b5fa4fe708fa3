package parley.notification;

import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import parley.events.Streams;
import parley.notification.domain.Notifications;
import parley.notification.grpc.FrontendPusher;
import parley.notification.grpc.NotificationGrpcService;
import parley.notification.http.NotificationRoutes;
import parley.notification.redis.RedisNotificationStore;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.StreamConsumer;

/** Composition root of notification-svc: two stream consumers, the pusher, the APIs. */
public final class NotificationApp {
  /** The consumer group on both streams. */
  public static final String GROUP = "notification-svc";

  private NotificationApp() {}

  public static ServiceHost start(NotificationConfig c) {
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = Metrics.registry("notification-svc");
    TokenService tokens = new TokenService(c.authSecret());
    RedisConnections redis = new RedisConnections();
    PeerChannel frontend = new PeerChannel(c.frontendSvcAddr(), 2);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("push-retry").unstarted(r));
    try {
      StatefulRedisConnection<String, String> db = redis.connect(c.redisUrl());
      StatefulRedisConnection<String, String> messagesDb = redis.connect(c.messagesStreamUrl());
      StatefulRedisConnection<String, String> usersDb = redis.connect(c.usersStreamUrl());
      FrontendPusher pusher =
          new FrontendPusher(frontend, tokens.issueService("notification-svc").token(), c.pushDeadline(), c.pushGiveUp(), scheduler, registry);
      Notifications notifications = new Notifications(new RedisNotificationStore(db, c.maxPerUser(), c.dedupeFor()), pusher, clock);
      StreamConsumer messages =
          new StreamConsumer(settings(c, Streams.MESSAGES), redis.connectBlocking(c.messagesStreamUrl(), c.block()), messagesDb, notifications::apply, registry)
              .start();
      StreamConsumer users =
          new StreamConsumer(settings(c, Streams.USERS), redis.connectBlocking(c.usersStreamUrl(), c.block()), usersDb, notifications::apply, registry)
              .start();
      return ServiceHost.builder("notification-svc", tokens, registry)
          .ports(c.httpPort(), c.grpcPort())
          .grpc(NotificationGrpcService.ACCESS, new NotificationGrpcService(notifications))
          .http(new NotificationRoutes(notifications, new HttpAuth(tokens))::register)
          // frontend-svc is not required: without it pushes retry and notifications stay pending
          .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(db) && RedisConnections.ping(messagesDb) && RedisConnections.ping(usersDb)))
          .closes(redis)
          .closes(frontend)
          .closes(scheduler::shutdownNow)
          .closes(users)
          .closes(messages)
          .start();
    } catch (RuntimeException e) {
      scheduler.shutdownNow();
      frontend.close();
      redis.close();
      throw e;
    }
  }

  private static StreamConsumer.Settings settings(NotificationConfig c, String stream) {
    return new StreamConsumer.Settings(stream, GROUP, c.consumerName(), c.batchSize(), c.block(), c.claimIdle(), c.forgetIdle(), c.maxDeliveries(), c.deadLetterMaxLen());
  }
}
