package parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import parley.local.Topology;
import parley.message.v1.Message;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.runtime.grpc.PeerChannel;

/**
 * One load run: registers sender/receiver pairs, opens a gRPC Subscribe per receiver, sends
 * asynchronously for the duration (flat out or at an offered rate, open loop), and measures for
 * each message the time from its intended send time to its notification arriving on the
 * receiver's live stream.
 * The send time travels in the message (its preview), so nothing is matched by guesswork. A
 * warm-up phase of the same load comes first; its messages are tagged and left out of every figure.
 */
final class LoadRun {
    record Result(
            long sent,
            long errors,
            long streamErrors,
            String lastError,
            long received,
            long duplicates,
            long missing,
            double seconds,
            double drainSeconds,
            Histogram endToEnd,
            Histogram sendCall,
            Map<String, Double> cpuMsPerMessage,
            double jitShare,
            Map<String, Long> rssKbBeforeIdle,
            Map<String, Long> rssKbWithIdle,
            Map<String, Long> rssKbAfter) {}

    private final SystemUnderTest sut;
    private final BenchOptions o;
    private final Tally tally = new Tally();
    private HttpDriver http;
    private Map<String, Long> rssBeforeIdle = Map.of();
    private Map<String, Long> rssWithIdle = Map.of();
    private Map<String, String> tokens = Map.of();
    private ProcCpu.Sample cpuBefore;
    private ProcCpu.Sample cpuAfter;

    LoadRun(SystemUnderTest sut, BenchOptions options) {
        this.sut = sut;
        this.o = options;
    }

    Result run() throws Exception {
        ManagedChannel users = channel(sut.ports.userGrpc());
        // one channel per instance (--instances): sender i uses message-svc i mod N, receiver i frontend-svc i mod N
        List<ManagedChannel> messages = instances(sut.ports.messageGrpc());
        List<ManagedChannel> frontends = instances(sut.ports.frontendGrpc());
        ManagedChannel frontend = frontends.get(0);
        try {
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> senders = new ArrayList<>();
            List<String> receivers = new ArrayList<>();
            for (int i = 0; i < o.pairs(); i++) {
                senders.add("bench-" + run + "-s" + i + "@example.com");
                receivers.add("bench-" + run + "-r" + i + "@example.com");
            }
            tokens = BenchUsers.register(users, senders, receivers);
            if (o.http()) {
                http = new HttpDriver(sut.host, sut.ports.messageHttp(), sut.ports.frontendHttp());
            }
            for (int i = 0; i < receivers.size(); i++) {
                String r = receivers.get(i);
                if (http != null) {
                    http.subscribe(tokens.get(r), tally::received, t -> tally.streamFailed("/events: " + t));
                } else {
                    BenchUsers.subscribe(frontends.get(i % frontends.size()), r, tokens.get(r), tally);
                }
            }
            Thread.sleep(500); // let every subscription join its channel
            if (o.idle() > 0) {
                openIdleSessions(users, frontend, run);
            }

            if (!o.warmup().isZero()) {
                load(messages, senders, receivers, tokens, o.warmup(), false);
                Thread.sleep(1000); // the warm-up's tail drains before measuring
            }
            cpuBefore = ProcCpu.sample(sut.pids());
            long startNanos = System.nanoTime();
            load(messages, senders, receivers, tokens, o.duration(), true);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            long drainStart = System.nanoTime();
            while (tally.receivedIds.size() < tally.sentIds.size()
                    && System.nanoTime() - drainStart < o.drain().toNanos()) {
                Thread.sleep(50);
            }
            cpuAfter = ProcCpu.sample(sut.pids());
            Thread.sleep(300); // late duplicates would show up here
            double drain = (System.nanoTime() - drainStart) / 1e9;
            long missing = tally.missing();
            return new Result(
                    tally.sentIds.size(),
                    tally.errors.get(),
                    tally.streamErrors.get(),
                    tally.lastError,
                    tally.receivedIds.size(),
                    tally.duplicates.get(),
                    missing,
                    seconds,
                    drain,
                    tally.endToEnd.getIntervalHistogram(),
                    tally.sendCall.getIntervalHistogram(),
                    ProcCpu.perMessage(cpuBefore, cpuAfter, tally.sentIds.size()),
                    ProcCpu.jitShare(cpuBefore, cpuAfter),
                    rssBeforeIdle,
                    rssWithIdle,
                    ProcCpu.rssKb(sut.pids()));
        } finally {
            users.shutdownNow();
            messages.forEach(ManagedChannel::shutdownNow);
            frontends.forEach(ManagedChannel::shutdownNow);
        }
    }

    /**
     * Sends for {@code length}; only a measured phase is recorded. Sends are asynchronous, at most
     * {@code o.inFlight()} at a time. With a rate, each send has an intended time on a fixed
     * schedule and its latency counts from then (open loop: a stalled system cannot slow the
     * schedule down and hide its own stall, no coordinated omission). Flat out, a send leaves as
     * soon as one in flight returns.
     */
    private void load(
            List<ManagedChannel> messages,
            List<String> senders,
            List<String> receivers,
            Map<String, String> tokens,
            Duration length,
            boolean measured)
            throws Exception {
        int threads = Math.max(1, o.senders());
        Semaphore inFlight = new Semaphore(o.inFlight());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long startNanos = System.nanoTime();
        long endNanos = startNanos + length.toNanos();
        List<MessageServiceGrpc.MessageServiceStub> stubs = new ArrayList<>();
        List<BulkSender> bulk = new ArrayList<>();
        for (int j = 0; j < senders.size(); j++) {
            String from = senders.get(j);
            MessageServiceGrpc.MessageServiceStub stub = MessageServiceGrpc.newStub(messages.get(j % messages.size()))
                    .withCallCredentials(PeerChannel.bearer(tokens.get(from)));
            stubs.add(stub);
            if (o.bulk()) {
                bulk.add(new BulkSender(stub, inFlight, measured, tally));
            }
        }
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            loops.add(pool.submit(() -> {
                sendLoop(stubs, bulk, senders, receivers, thread, threads, startNanos, endNanos, inFlight, measured);
                return null;
            }));
        }
        for (Future<?> f : loops) {
            f.get();
        }
        inFlight.acquire(o.inFlight()); // every send answered
        bulk.forEach(BulkSender::close);
        pool.shutdown();
    }

    private void sendLoop(
            List<MessageServiceGrpc.MessageServiceStub> stubs,
            List<BulkSender> bulk,
            List<String> senders,
            List<String> receivers,
            int thread,
            int threads,
            long startNanos,
            long endNanos,
            Semaphore inFlight,
            boolean measured)
            throws InterruptedException {
        double interval = o.rate() > 0 ? 1e9 * threads / o.rate() : 0;
        long k = 0;
        int i = thread;
        while (true) {
            long intended = interval > 0 ? startNanos + (long) (interval * k++) : System.nanoTime();
            if (intended >= endNanos) {
                return;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            int pair = i;
            i += threads;
            pair %= senders.size();
            String from = senders.get(pair);
            SendMessageRequest request = SendMessageRequest.newBuilder()
                    .setSenderEmail(from)
                    .setReceiverEmail(receivers.get(pair))
                    .setContent((measured ? Tally.MEASURED : Tally.WARM_UP) + intended)
                    .build();
            if (!bulk.isEmpty()) {
                bulk.get(pair).send(request, intended);
                continue;
            }
            if (http != null) {
                http.send(tokens.get(from), receivers.get(pair), request.getContent())
                        .whenComplete((id, t) -> {
                            if (measured) {
                                if (t != null) {
                                    tally.sendFailed(t.toString());
                                } else {
                                    tally.sent(id, intended);
                                }
                            }
                            inFlight.release();
                        });
                continue;
            }
            stubs.get(pair).sendMessage(request, new StreamObserver<>() {
                @Override
                public void onNext(Message m) {
                    if (measured) {
                        tally.sent(m.getId(), intended);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    if (measured) {
                        tally.sendFailed(t.toString());
                    }
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    inFlight.release();
                }
            });
        }
    }

    /**
     * Holds {@code o.idle()} live sessions that receive nothing (100 per extra user, so registering
     * them stays quick), and notes each process's resident memory before and after, so the report
     * shows what an idle session costs.
     */
    private void openIdleSessions(ManagedChannel users, ManagedChannel frontend, String run) throws Exception {
        List<String> idleUsers = new ArrayList<>();
        for (int i = 0; i < (o.idle() + 99) / 100; i++) {
            idleUsers.add("bench-" + run + "-idle" + i + "@example.com");
        }
        Map<String, String> idleTokens = BenchUsers.register(users, idleUsers, List.of());
        rssBeforeIdle = ProcCpu.rssKb(sut.pids());
        for (int i = 0; i < o.idle(); i++) {
            String who = idleUsers.get(i / 100);
            if (http != null) {
                http.subscribe(idleTokens.get(who), (id, preview) -> {}, t -> tally.streamFailed("idle /events: " + t));
            } else {
                BenchUsers.subscribe(frontend, who, idleTokens.get(who), tally);
            }
        }
        Thread.sleep(Math.max(2000, o.idle() / 2)); // every session joined and replayed (nothing)
        rssWithIdle = ProcCpu.rssKb(sut.pids());
    }

    private List<ManagedChannel> instances(int firstPort) {
        List<ManagedChannel> all = new ArrayList<>();
        for (int k = 0; k < o.instances(); k++) {
            all.add(channel(firstPort + Topology.INSTANCE_PORT_STEP * k));
        }
        return all;
    }

    private ManagedChannel channel(int port) {
        // callbacks only record figures: run them on the event loop, no thread hand-off per answer
        return NettyChannelBuilder.forAddress(sut.host, port)
                .usePlaintext()
                .maxInboundMessageSize(1 << 20)
                .directExecutor()
                .build();
    }
}
