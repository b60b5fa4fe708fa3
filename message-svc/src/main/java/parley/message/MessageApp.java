package parley.message;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import parley.events.Streams;
import parley.events.UserDeleted;
import parley.message.domain.Messaging;
import parley.message.grpc.GrpcUserDirectory;
import parley.message.grpc.MessageGrpcService;
import parley.message.http.MessageRoutes;
import parley.message.redis.MessageKeys;
import parley.message.redis.RedisMessageStore;
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
import parley.runtime.redis.StreamConsumers;
import parley.runtime.redis.StreamRetention;

/** Composition root of message-svc. */
public final class MessageApp {
    /** message-svc's consumer group on events:users (and, on a cluster, on events:messages' shards). */
    public static final String GROUP = "message-svc";

    private static StreamConsumer.Settings settings(MessageConfig config, String stream, int batch) {
        return new StreamConsumer.Settings(
                stream,
                GROUP,
                config.consumerName(),
                batch,
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                5,
                10_000);
    }

    private MessageApp() {}

    public static ServiceHost start(MessageConfig config) {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.registry("message-svc");
        TokenService tokens = new TokenService(config.authSecret());
        return ServiceHost.start("message-svc", tokens, registry, host -> {
            boolean cluster = config.redisCluster();
            RedisConnections redis = host.owns(new RedisConnections(cluster));
            PeerChannel userSvc = host.owns(new PeerChannel(config.userSvcAddr()));
            RedisLink db = redis.connect(config.redisUrl());
            MessageKeys keys = new MessageKeys(cluster);
            GrpcUserDirectory users = new GrpcUserDirectory(
                    userSvc,
                    new ServiceCredentials(tokens, "message-svc"),
                    config.userCheckDeadline(),
                    config.userCacheTtl());
            GroupCommit sends =
                    host.owns(new GroupCommit(redis.connect(config.redisUrl()), "sends", 20_000, 20_000, registry));
            RedisLink trimming = redis.connect(config.redisUrl());
            for (StreamRetention.Settings each : config.events().forEach(keys.allEvents())) {
                host.owns(new StreamRetention(each, trimming, clock, registry).start());
            }
            RedisMessageStore store = new RedisMessageStore(db, sends, keys, clock);
            Messaging messaging = new Messaging(store, users, clock, config.maxContentBytes());
            Revocations revocations = host.owns(Revocations.follow(redis, config.usersStreamUrl(), config.tokenTtl()));
            // a deleted (or re-registered, or re-keyed) account raises its token version: every
            // instance drops its cached check of that user at once
            revocations.onRevoked(users::forget);
            // one instance forgets a deleted account's indexes, in a consumer group: a deletion made
            // while every message-svc was down is handled when one starts again (late is safe)
            StreamConsumers forgetting = host.owns(StreamConsumers.start(
                    Streams.all(Streams.USERS, cluster),
                    stream -> new StreamConsumer(
                            settings(config, stream, 100),
                            redis.connectBlocking(config.usersStreamUrl(), Duration.ofSeconds(2)),
                            redis.connect(config.usersStreamUrl()),
                            (entryId, event) -> {
                                if (event instanceof UserDeleted deleted) {
                                    messaging.forgetUser(deleted.email(), deleted.occurredAt());
                                }
                                return CompletableFuture.completedFuture(null);
                            },
                            registry)));
            // on a cluster, the projector: the users' indexes on their own slots follow the events
            RedisLink projecting = cluster ? redis.connect(config.redisUrl()) : null;
            StreamConsumers projector = host.owns(StreamConsumers.start(
                    cluster ? keys.allEvents() : List.of(),
                    stream -> new StreamConsumer(
                            settings(config, stream, 500),
                            redis.connectBlocking(config.redisUrl(), Duration.ofSeconds(2)),
                            projecting,
                            (entryId, event) -> store.project(event).thenApply(done -> null),
                            registry)));
            host.ports(config.httpPort(), config.grpcPort())
                    .grpc(method -> Access.USERS, new MessageGrpcService(messaging))
                    // sends only start asynchronous work (a cached user check, a grouped write)
                    .grpcOnEventLoop(
                            MessageServiceGrpc.getSendMessageMethod(), MessageServiceGrpc.getSendMessagesMethod())
                    .http(new MessageRoutes(messaging, new HttpAuth(tokens))::register)
                    .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(db)))
                    .ready(new ReadinessCheck("user-svc", userSvc::reachable))
                    .ready(new ReadinessCheck("consumers", () -> forgetting.healthy() && projector.healthy()))
                    .revocations(revocations);
        });
    }
}
