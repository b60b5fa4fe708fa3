package parley.message;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import parley.events.Streams;
import parley.events.UserDeleted;
import parley.message.domain.Messaging;
import parley.message.grpc.GrpcUserDirectory;
import parley.message.grpc.MessageGrpcService;
import parley.message.http.MessageRoutes;
import parley.message.redis.RedisMessageStore;
import parley.message.redis.UserEventsTail;
import parley.message.v1.MessageServiceGrpc;
import parley.runtime.ServiceHost;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.grpc.ServiceCredentials;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.GroupCommit;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;
import parley.runtime.redis.StreamConsumer;
import parley.runtime.redis.StreamRetention;

/** Composition root of message-svc. */
public final class MessageApp {
    /** message-svc's consumer group on events:users. */
    public static final String GROUP = "message-svc";

    private MessageApp() {}

    public static ServiceHost start(MessageConfig config) {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.registry("message-svc");
        TokenService tokens = new TokenService(config.authSecret());
        return ServiceHost.start("message-svc", tokens, registry, host -> {
            RedisConnections redis = host.owns(new RedisConnections());
            PeerChannel userSvc = host.owns(new PeerChannel(config.userSvcAddr()));
            RedisLink db = redis.connect(config.redisUrl());
            GrpcUserDirectory users = new GrpcUserDirectory(
                    userSvc,
                    new ServiceCredentials(tokens, "message-svc"),
                    config.userCheckDeadline(),
                    config.userCacheTtl());
            GroupCommit sends =
                    host.owns(new GroupCommit(redis.connect(config.redisUrl()), "sends", 20_000, 20_000, registry));
            host.owns(new StreamRetention(config.events(), redis.connect(config.redisUrl()), clock, registry).start());
            Messaging messaging =
                    new Messaging(new RedisMessageStore(db, sends, clock), users, clock, config.maxContentBytes());
            host.owns(new UserEventsTail(
                            redis.connectBlocking(config.usersStreamUrl(), Duration.ofSeconds(1)),
                            // every instance drops its cached user check at once
                            deleted -> users.forget(deleted.email()))
                    .start());
            // one instance forgets a deleted account's indexes, in a consumer group: a deletion made
            // while every message-svc was down is handled when one starts again (late is safe)
            StreamConsumer forgetting = host.owns(new StreamConsumer(
                            new StreamConsumer.Settings(
                                    Streams.USERS,
                                    GROUP,
                                    config.consumerName(),
                                    100,
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(30),
                                    Duration.ofHours(1),
                                    5,
                                    10_000),
                            redis.connectBlocking(config.usersStreamUrl(), Duration.ofSeconds(2)),
                            redis.connect(config.usersStreamUrl()),
                            (entryId, event) -> {
                                if (event instanceof UserDeleted deleted) {
                                    messaging.forgetUser(deleted.email(), deleted.occurredAt());
                                }
                                return CompletableFuture.completedFuture(null);
                            },
                            registry)
                    .start());
            host.ports(config.httpPort(), config.grpcPort())
                    .grpc(method -> Access.USERS, new MessageGrpcService(messaging))
                    // sends only start asynchronous work (a cached user check, a grouped write)
                    .grpcOnEventLoop(
                            MessageServiceGrpc.getSendMessageMethod(), MessageServiceGrpc.getSendMessagesMethod())
                    .http(new MessageRoutes(messaging, new HttpAuth(tokens))::register)
                    .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(db)))
                    .ready(new ReadinessCheck("user-svc", userSvc::reachable))
                    .ready(new ReadinessCheck("consumers", forgetting::healthy))
                    .revocations(Revocations.follow(redis, config.usersStreamUrl(), config.tokenTtl()));
        });
    }
}
