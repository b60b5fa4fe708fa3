package parley.notification;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.DomainEvent;
import parley.events.Streams;
import parley.notification.domain.Notifications;
import parley.notification.grpc.NotificationGrpcService;
import parley.notification.grpc.StreamPusher;
import parley.notification.http.NotificationRoutes;
import parley.notification.redis.NotificationKeys;
import parley.notification.redis.RedisNotificationStore;
import parley.notification.v1.NotificationServiceGrpc;
import parley.runtime.ServiceHost;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.PeerChannel;
import parley.runtime.grpc.ServiceCredentials;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.LeasedStreamConsumers;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;
import parley.runtime.redis.StreamConsumer;

/** Composition root of notification-svc: two stream consumers, the pusher, the APIs. */
public final class NotificationApp {
    private static final Logger log = LoggerFactory.getLogger(NotificationApp.class);
    /** The consumer group on both streams. */
    public static final String GROUP = "notification-svc";

    private NotificationApp() {}

    public static ServiceHost start(NotificationConfig c) {
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry registry = Metrics.registry("notification-svc");
        TokenService tokens = new TokenService(c.authSecret());
        return ServiceHost.start("notification-svc", tokens, registry, host -> {
            boolean cluster = c.redisCluster();
            RedisConnections redis = host.owns(new RedisConnections(cluster));
            PeerChannel frontend = host.owns(new PeerChannel(c.frontendSvcAddr(), 2));
            RedisLink db = redis.connect(c.redisUrl());
            RedisLink messagesDb = redis.connect(c.messagesStreamUrl());
            RedisLink usersDb = redis.connect(c.usersStreamUrl());
            StreamPusher pusher = host.owns(new StreamPusher(
                            frontend,
                            new ServiceCredentials(tokens, "notification-svc"),
                            new StreamPusher.Settings(
                                    c.pushWindow(),
                                    Math.min(c.pushBatchSize(), 1000),
                                    c.pushDeadline(),
                                    c.pushGiveUp()),
                            registry)
                    .start());
            RedisNotificationStore store = new RedisNotificationStore(
                    db, redis.connect(c.redisUrl()), new NotificationKeys(cluster), c.maxPerUser(), c.dedupeFor());
            // off the start path: the service starts even while Redis is still loading
            Thread.ofVirtual().name("pending-migration").start(() -> migrate(store));
            Notifications notifications = new Notifications(store, pusher, clock, registry);
            pusher.acksTo(notifications::ackDeliveredAsync);
            StreamConsumer.EventHandler handler = new StreamConsumer.EventHandler() {
                @Override
                public CompletionStage<Runnable> handle(String entryId, DomainEvent event) {
                    return notifications.apply(entryId, event);
                }

                @Override
                public void endOfBatch() {
                    notifications.endOfBatch();
                }
            };
            // one consumer per stream, or per shard of each on a cluster; with several instances each
            // shard is read by one of them at a time (a lease), so a user's notifications keep their order
            Map<String, RedisLink> blocking = new ConcurrentHashMap<>();
            LeasedStreamConsumers messages = host.owns(LeasedStreamConsumers.start(
                    messagesDb,
                    GROUP,
                    c.consumerName(),
                    Streams.MESSAGES,
                    Streams.all(Streams.MESSAGES, cluster),
                    c.leaseTtl(),
                    stream -> new StreamConsumer(
                            settings(c, stream),
                            blocking.computeIfAbsent(
                                    stream, s -> redis.connectBlocking(c.messagesStreamUrl(), c.block())),
                            messagesDb,
                            handler,
                            registry)));
            LeasedStreamConsumers users = host.owns(LeasedStreamConsumers.start(
                    usersDb,
                    GROUP,
                    c.consumerName(),
                    Streams.USERS,
                    Streams.all(Streams.USERS, cluster),
                    c.leaseTtl(),
                    stream -> new StreamConsumer(
                            settings(c, stream),
                            blocking.computeIfAbsent(stream, s -> redis.connectBlocking(c.usersStreamUrl(), c.block())),
                            usersDb,
                            handler,
                            registry)));
            host.ports(c.httpPort(), c.grpcPort())
                    .grpc(NotificationGrpcService.ACCESS, new NotificationGrpcService(notifications))
                    // the per-instance delivery acks only start pipelined ZREMs: no thread hand-off
                    .grpcOnEventLoop(NotificationServiceGrpc.getAckDeliveredBatchMethod())
                    .http(new NotificationRoutes(notifications, new HttpAuth(tokens))::register)
                    // frontend-svc is not required: without it pushes retry and notifications stay pending
                    .ready(new ReadinessCheck(
                            "redis",
                            () -> RedisConnections.ping(db)
                                    && RedisConnections.ping(messagesDb)
                                    && RedisConnections.ping(usersDb)))
                    // a dead or stuck consumer is restarted by its watchdog; until then this instance is not ready
                    .ready(new ReadinessCheck("consumers", () -> messages.healthy() && users.healthy()))
                    .revocations(Revocations.follow(redis, c.usersStreamUrl(), c.tokenTtl()));
        });
    }

    /** Converts an older version's pending lists, retrying until Redis answers. */
    private static void migrate(RedisNotificationStore store) {
        for (long pause = 200; ; pause = Math.min(pause * 2, 5000)) {
            try {
                int migrated = store.migratePendingLists();
                if (migrated > 0) {
                    log.info("converted {} pending lists to sorted sets", migrated);
                }
                return;
            } catch (RuntimeException e) {
                log.warn("converting pending lists failed ({}); retrying in {} ms", e.toString(), pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static StreamConsumer.Settings settings(NotificationConfig c, String stream) {
        return new StreamConsumer.Settings(
                stream,
                GROUP,
                c.consumerName(),
                c.batchSize(),
                c.block(),
                c.claimIdle(),
                c.forgetIdle(),
                c.maxDeliveries(),
                c.deadLetterMaxLen());
    }
}
