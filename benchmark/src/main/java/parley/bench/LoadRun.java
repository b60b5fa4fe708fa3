package parley.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.SubscribeRequest;
import parley.message.v1.Message;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.message.v1.SendMessagesResult;
import parley.notification.v1.Notification;
import parley.runtime.grpc.PeerChannel;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.RegisterUserRequest;
import parley.user.v1.UserServiceGrpc;

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
            Map<String, Long> rssKbBeforeIdle,
            Map<String, Long> rssKbWithIdle,
            Map<String, Long> rssKbAfter) {}

    private static final String MEASURED = "bench ";
    private static final String WARM_UP = "warm ";

    private final SystemUnderTest sut;
    private final BenchOptions o;
    private final Recorder endToEnd = new Recorder(3);
    private final Recorder sendCall = new Recorder(3);
    private final Map<Long, Boolean> sentIds = new ConcurrentHashMap<>();
    private final Set<Long> receivedIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong streamErrors = new AtomicLong();
    private volatile String lastError = "";
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
        ManagedChannel messages = channel(sut.ports.messageGrpc());
        ManagedChannel frontend = channel(sut.ports.frontendGrpc());
        try {
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> senders = new ArrayList<>();
            List<String> receivers = new ArrayList<>();
            for (int i = 0; i < o.pairs(); i++) {
                senders.add("bench-" + run + "-s" + i + "@example.com");
                receivers.add("bench-" + run + "-r" + i + "@example.com");
            }
            tokens = register(users, senders, receivers);
            if (o.http()) {
                http = new HttpDriver(sut.host, sut.ports.messageHttp(), sut.ports.frontendHttp());
            }
            for (String r : receivers) {
                if (http != null) {
                    http.subscribe(tokens.get(r), this::received, t -> {
                        streamErrors.incrementAndGet();
                        lastError = "/events: " + t;
                    });
                } else {
                    subscribe(frontend, r, tokens.get(r));
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
            while (receivedIds.size() < sentIds.size()
                    && System.nanoTime() - drainStart < o.drain().toNanos()) {
                Thread.sleep(50);
            }
            cpuAfter = ProcCpu.sample(sut.pids());
            Thread.sleep(300); // late duplicates would show up here
            double drain = (System.nanoTime() - drainStart) / 1e9;
            long missing = sentIds.keySet().stream()
                    .filter(id -> !receivedIds.contains(id))
                    .count();
            return new Result(
                    sentIds.size(),
                    errors.get(),
                    streamErrors.get(),
                    lastError,
                    receivedIds.size(),
                    duplicates.get(),
                    missing,
                    seconds,
                    drain,
                    endToEnd.getIntervalHistogram(),
                    sendCall.getIntervalHistogram(),
                    ProcCpu.perMessage(cpuBefore, cpuAfter, sentIds.size()),
                    rssBeforeIdle,
                    rssWithIdle,
                    ProcCpu.rssKb(sut.pids()));
        } finally {
            users.shutdownNow();
            messages.shutdownNow();
            frontend.shutdownNow();
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
            ManagedChannel messages,
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
        for (String from : senders) {
            MessageServiceGrpc.MessageServiceStub stub =
                    MessageServiceGrpc.newStub(messages).withCallCredentials(PeerChannel.bearer(tokens.get(from)));
            stubs.add(stub);
            if (o.bulk()) {
                bulk.add(new BulkSender(stub, inFlight, measured));
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
                    .setContent((measured ? MEASURED : WARM_UP) + intended)
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
                                    errors.incrementAndGet();
                                    lastError = t.toString();
                                } else {
                                    sendCall.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                                    sentIds.put(id, Boolean.TRUE);
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
                        sendCall.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                        sentIds.put(m.getId(), Boolean.TRUE);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    if (measured) {
                        errors.incrementAndGet();
                        lastError = t.toString();
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
        Map<String, String> idleTokens = register(users, idleUsers, List.of());
        rssBeforeIdle = ProcCpu.rssKb(sut.pids());
        for (int i = 0; i < o.idle(); i++) {
            String who = idleUsers.get(i / 100);
            if (http != null) {
                http.subscribe(idleTokens.get(who), (id, preview) -> {}, t -> {
                    streamErrors.incrementAndGet();
                    lastError = "idle /events: " + t;
                });
            } else {
                subscribe(frontend, who, idleTokens.get(who));
            }
        }
        Thread.sleep(Math.max(2000, o.idle() / 2)); // every session joined and replayed (nothing)
        rssWithIdle = ProcCpu.rssKb(sut.pids());
    }

    /** A notification reached its receiver: counted once, its latency taken from the send time it carries. */
    private void received(long messageId, String preview) {
        long now = System.nanoTime();
        if (!preview.startsWith(MEASURED)) {
            return; // the warm-up's
        }
        if (!receivedIds.add(messageId)) {
            duplicates.incrementAndGet();
            return;
        }
        endToEnd.recordValue(Math.max(0, (now - Long.parseLong(preview.substring(MEASURED.length()))) / 1000));
    }

    /** One SendMessages stream of one sender; answers are matched to their send by index. */
    private final class BulkSender {
        private final StreamObserver<SendMessageRequest> requests;
        private final Map<Long, Long> intendedByIndex = new ConcurrentHashMap<>();
        private long index;

        BulkSender(MessageServiceGrpc.MessageServiceStub stub, Semaphore inFlight, boolean measured) {
            this.requests = stub.sendMessages(new StreamObserver<SendMessagesResult>() {
                @Override
                public void onNext(SendMessagesResult r) {
                    Long intended = intendedByIndex.remove(r.getIndex());
                    if (measured) {
                        if (r.hasMessage()) {
                            sendCall.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                            sentIds.put(r.getMessage().getId(), Boolean.TRUE);
                        } else {
                            errors.incrementAndGet();
                            lastError = r.getErrorCode() + ": " + r.getErrorMessage();
                        }
                    }
                    inFlight.release();
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    lastError = "SendMessages: " + t;
                    inFlight.release(intendedByIndex.size());
                    intendedByIndex.clear();
                }

                @Override
                public void onCompleted() {}
            });
        }

        synchronized void send(SendMessageRequest request, long intended) {
            intendedByIndex.put(++index, intended);
            requests.onNext(request);
        }

        synchronized void close() {
            requests.onCompleted();
        }
    }

    private void subscribe(ManagedChannel channel, String email, String token) {
        FrontendServiceGrpc.newStub(channel)
                .withCallCredentials(PeerChannel.bearer(token))
                .subscribe(SubscribeRequest.newBuilder().setEmail(email).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(Notification n) {
                        received(n.getMessageId(), n.getPreview());
                    }

                    @Override
                    public void onError(Throwable t) {
                        streamErrors.incrementAndGet();
                        lastError = "Subscribe: " + t;
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    private static Map<String, String> register(ManagedChannel channel, List<String> senders, List<String> receivers)
            throws Exception {
        Map<String, String> tokens = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        List<String> all = new ArrayList<>(senders);
        all.addAll(receivers);
        for (String email : all) {
            done.add(pool.submit(() -> {
                var stub = UserServiceGrpc.newBlockingStub(channel);
                stub.registerUser(RegisterUserRequest.newBuilder()
                        .setName("bench")
                        .setEmail(email)
                        .setPassword("bench-password")
                        .build());
                tokens.put(
                        email,
                        stub.authenticateUser(AuthenticateUserRequest.newBuilder()
                                        .setEmail(email)
                                        .setPassword("bench-password")
                                        .build())
                                .getToken());
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return tokens;
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
