package parley.frontend;

import io.javalin.http.staticfiles.Location;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import parley.frontend.grpc.FrontendGrpcService;
import parley.frontend.http.EventStreamAccept;
import parley.frontend.http.EventsRoute;
import parley.frontend.http.WebApi;
import parley.frontend.live.LiveHub;
import parley.frontend.live.LiveStats;
import parley.frontend.peers.GrpcDeliveryAcks;
import parley.frontend.peers.GrpcReplay;
import parley.frontend.peers.Peers;
import parley.runtime.ServiceHost;
import parley.runtime.auth.Revocations;
import parley.runtime.auth.TokenService;
import parley.runtime.grpc.ServiceCredentials;
import parley.runtime.http.HttpAuth;
import parley.runtime.http.ReadinessCheck;
import parley.runtime.metrics.Metrics;
import parley.runtime.redis.RedisConnections;
import parley.runtime.redis.RedisLink;

/** Composition root of frontend-svc: live hub, gRPC, the web page and its API. */
public final class FrontendApp {
    private FrontendApp() {}

    public static ServiceHost start(FrontendConfig c) {
        PrometheusMeterRegistry registry = Metrics.registry("frontend-svc");
        TokenService tokens = new TokenService(c.authSecret());
        ServiceCredentials service = new ServiceCredentials(tokens, "frontend-svc");
        return ServiceHost.start("frontend-svc", tokens, registry, host -> {
            RedisConnections redis = host.owns(new RedisConnections(c.redisCluster()));
            Peers peers = host.owns(new Peers(c.userSvcAddr(), c.messageSvcAddr(), c.notificationSvcAddr()));
            RedisLink publisher = redis.connect(c.redisUrl());
            LiveStats stats = new LiveStats(registry);
            LiveHub hub = new LiveHub(
                    redis.connectPubSub(c.redisUrl()),
                    redis.connect(c.redisUrl()),
                    new GrpcReplay(peers, service),
                    c.liveLimits(),
                    registry);
            Revocations revocations = host.owns(Revocations.follow(redis, c.usersStreamUrl(), c.tokenTtl()));
            hub.endRevokedSessions(revocations);
            GrpcDeliveryAcks acks = new GrpcDeliveryAcks(peers, service, registry);
            HttpAuth auth = new HttpAuth(tokens);
            EventsRoute events = host.owns(new EventsRoute(auth, hub, acks, stats, c.heartbeat()));
            WebApi api = new WebApi(peers, auth, c.secureCookie());
            host.ports(c.httpPort(), c.grpcPort())
                    .grpc(FrontendGrpcService.ACCESS, new FrontendGrpcService(hub, acks, stats))
                    // ReceiveNotification publishes in arrival order, so a user's live streams see the
                    // pushes in the order notification-svc made them; no handler here blocks
                    .grpcOnEventLoop()
                    .http(routes -> {
                        api.register(routes);
                        events.register(routes);
                    })
                    .javalin(cfg -> {
                        cfg.staticFiles.add("/public", Location.CLASSPATH);
                        cfg.jetty.modifyServletContextHandler(h -> h.addFilter(
                                EventStreamAccept.class, EventsRoute.PATH, EnumSet.of(DispatcherType.REQUEST)));
                    })
                    .ready(new ReadinessCheck("redis", () -> RedisConnections.ping(publisher)))
                    .ready(new ReadinessCheck("user-svc", peers.userChannel()::reachable))
                    .ready(new ReadinessCheck("message-svc", peers.messageChannel()::reachable))
                    .ready(new ReadinessCheck("notification-svc", peers.notificationChannel()::reachable))
                    .drain(hub::close)
                    .drain(acks::close)
                    .revocations(revocations);
        });
    }
}
