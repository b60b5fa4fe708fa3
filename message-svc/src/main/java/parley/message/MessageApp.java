package parley.message;

import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import parley.message.domain.Messaging;
import parley.message.grpc.GrpcUserDirectory;
import parley.message.grpc.MessageGrpcService;
import parley.message.http.MessageRoutes;
import parley.message.redis.RedisMessageStore;
import parley.message.redis.UserEventsTail;
import parley.runtime.ServiceHost;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.GroupCommit;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.StreamRetention;

/** Composition root of message-svc. */
public final class MessageApp {
  private MessageApp() {}

  public static ServiceHost start(MessageConfig config) {
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = Metrics.registry("message-svc");
    TokenService tokens = new TokenService(config.authSecret());
    RedisConnections redis = new RedisConnections();
    PeerChannel userSvc = new PeerChannel(config.userSvcAddr());
    try {
      StatefulRedisConnection<String, String> db = redis.connect(config.redisUrl());
      GrpcUserDirectory users =
          new GrpcUserDirectory(userSvc, tokens.issueService("message-svc").token(), config.userCheckDeadline(), config.userCacheTtl());
      GroupCommit sends = new GroupCommit(redis.connect(config.redisUrl()), "sends", 20_000, 20_000, registry);
      StreamRetention retention = new StreamRetention(config.events(), redis.connect(config.redisUrl()), clock, registry).start();
      Messaging messaging = new Messaging(new RedisMessageStore(db, sends, clock), users, clock, config.maxContentBytes());
      UserEventsTail tail =
          new UserEventsTail(
                  redis.connectBlocking(config.usersStreamUrl(), Duration.ofSeconds(1)),
                  deleted -> {
                    users.forget(deleted.email());
                    messaging.forgetUser(deleted.email(), deleted.occurredAt());
                  })
              .start();
      return ServiceHost.builder("message-svc", tokens, registry)
          .ports(config.httpPort(), config.grpcPort())
          .grpc(method -> Access.AUTHENTICATED, new MessageGrpcService(messaging))
          .http(new MessageRoutes(messaging, new HttpAuth(tokens))::register)
          .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(db)))
          .ready(new ReadinessCheck("user-svc", userSvc::reachable))
          .closes(redis)
          .closes(userSvc)
          .closes(tail)
          .closes(sends)
          .closes(retention)
          .start();
    } catch (RuntimeException e) {
      userSvc.close();
      redis.close();
      throw e;
    }
  }
}
