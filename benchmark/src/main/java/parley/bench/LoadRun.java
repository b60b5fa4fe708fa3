package parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
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
            Histogram toStream,
            Histogram streamToReceiver,
            double behindAtStartMs,
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

            // one schedule: the warm-up runs straight into the measured phase, as a system under
            // steady load would see it (a pause between them, then a fresh start, showed in the
            // first 100 ms of every measured phase as the tool's own transient)
            double seconds = load(messages, senders, receivers, tokens);
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
                    tally.toStream.getIntervalHistogram(),
                    tally.streamToReceiver.getIntervalHistogram(),
                    tally.behindAtStart.get() / 1e6,
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
     * Sends for the warm-up and then the measured duration, on one schedule; only what is sent
     * from the measured phase's start on is recorded in the run's figures (the warm-up's go to a
     * tally of their own, by the same code). Sends are asynchronous, at most {@code o.inFlight()}
     * at a time. With a rate, each send has an intended time on a fixed schedule and its latency
     * counts from then (open loop: a stalled system cannot slow the schedule down and hide its own
     * stall, no coordinated omission). Flat out, a send leaves as soon as one in flight returns.
     * The processes' CPU is sampled as the measured phase begins.
     *
     * @return seconds from the measured phase's start until its last send was answered
     */
    private double load(
            List<ManagedChannel> messages, List<String> senders, List<String> receivers, Map<String, String> tokens)
            throws Exception {
        int threads = Math.max(1, o.senders());
        Semaphore inFlight = new Semaphore(o.inFlight());
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        List<MessageServiceGrpc.MessageServiceStub> stubs = new ArrayList<>();
        List<BulkSender> bulk = new ArrayList<>();
        for (int j = 0; j < senders.size(); j++) {
            String from = senders.get(j);
            MessageServiceGrpc.MessageServiceStub stub = MessageServiceGrpc.newStub(messages.get(j % messages.size()))
                    .withCallCredentials(PeerChannel.bearer(tokens.get(from)));
            stubs.add(stub);
            if (o.bulk()) {
                bulk.add(new BulkSender(stub, inFlight));
            }
        }
        long startNanos = System.nanoTime();
        long measureFrom = startNanos + o.warmup().toNanos();
        long endNanos = measureFrom + o.duration().toNanos();
        Future<?> sampler = pool.submit(() -> {
            // once at the warm-up's start, thrown away: the first reading loads and runs cold code
            // for some 100 ms of CPU, which at the measured phase's start showed in its first sends
            ProcCpu.sample(sut.pids());
            LockSupport.parkNanos(measureFrom - System.nanoTime());
            cpuBefore = ProcCpu.sample(sut.pids());
            return null;
        });
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            loops.add(pool.submit(() -> {
                sendLoop(stubs, bulk, senders, receivers, thread, threads, startNanos, measureFrom, endNanos, inFlight);
                return null;
            }));
        }
        for (Future<?> f : loops) {
            f.get();
        }
        inFlight.acquire(o.inFlight()); // every send answered
        double seconds = (System.nanoTime() - measureFrom) / 1e9;
        sampler.get();
        bulk.forEach(BulkSender::close);
        pool.shutdown();
        return seconds;
    }

    private void sendLoop(
            List<MessageServiceGrpc.MessageServiceStub> stubs,
            List<BulkSender> bulk,
            List<String> senders,
            List<String> receivers,
            int thread,
            int threads,
            long startNanos,
            long measureFrom,
            long endNanos,
            Semaphore inFlight)
            throws InterruptedException {
        double interval = o.rate() > 0 ? 1e9 * threads / o.rate() : 0;
        long k = 0;
        int i = thread;
        boolean started = false;
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
            // the warm-up records into a tally of its own by the same code, so the measured phase
            // runs code the JIT has compiled already instead of taking new branches at its start
            boolean measured = intended >= measureFrom;
            Tally into = measured ? tally : tally.warmUp;
            if (measured && !started) {
                started = true;
                tally.behindAtStart(System.nanoTime() - intended);
            }
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
                bulk.get(pair).send(request, intended, into);
                continue;
            }
            if (http != null) {
                http.send(tokens.get(from), receivers.get(pair), request.getContent())
                        .whenComplete((id, t) -> {
                            if (t != null) {
                                into.sendFailed(t.toString());
                            } else {
                                into.sent(id, intended);
                            }
                            inFlight.release();
                        });
                continue;
            }
            stubs.get(pair).sendMessage(request, new StreamObserver<>() {
                @Override
                public void onNext(Message m) {
                    into.sent(m.getId(), intended);
                }

                @Override
                public void onError(Throwable t) {
                    into.sendFailed(t.toString());
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
                http.subscribe(
                        idleTokens.get(who),
                        (id, preview, notificationId) -> {},
                        t -> tally.streamFailed("idle /events: " + t));
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
