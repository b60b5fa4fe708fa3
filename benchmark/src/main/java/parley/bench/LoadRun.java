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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import parley.frontend.v1.FrontendServiceGrpc;
import parley.frontend.v1.SubscribeRequest;
import parley.message.v1.MessageServiceGrpc;
import parley.message.v1.SendMessageRequest;
import parley.notification.v1.Notification;
import parley.runtime.grpc.PeerChannel;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.RegisterUserRequest;
import parley.user.v1.UserServiceGrpc;

/**
 * One load run: registers sender/receiver pairs, opens a gRPC Subscribe per receiver, sends from
 * many threads for the duration (flat out or at an offered rate), and measures for each message
 * the time from the SendMessage call to its notification arriving on the receiver's live stream.
 * The send time travels in the message (its preview), so nothing is matched by guesswork. A
 * warm-up phase of the same load comes first; its messages are tagged and left out of every figure.
 */
final class LoadRun {
  record Result(
      long sent, long errors, long received, long duplicates, long missing, double seconds, double drainSeconds,
      Histogram endToEnd, Histogram sendCall) {}

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
      Map<String, String> tokens = register(users, senders, receivers);
      for (String r : receivers) {
        subscribe(frontend, r, tokens.get(r));
      }
      Thread.sleep(500); // let every subscription join its channel

      if (!o.warmup().isZero()) {
        load(messages, senders, receivers, tokens, o.warmup(), false);
        Thread.sleep(1000); // the warm-up's tail drains before measuring
      }
      long startNanos = System.nanoTime();
      load(messages, senders, receivers, tokens, o.duration(), true);
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      long drainStart = System.nanoTime();
      while (receivedIds.size() < sentIds.size() && System.nanoTime() - drainStart < Duration.ofSeconds(15).toNanos()) {
        Thread.sleep(50);
      }
      Thread.sleep(300); // late duplicates would show up here
      double drain = (System.nanoTime() - drainStart) / 1e9;
      long missing = sentIds.keySet().stream().filter(id -> !receivedIds.contains(id)).count();
      return new Result(sentIds.size(), errors.get(), receivedIds.size(), duplicates.get(), missing, seconds, drain,
          endToEnd.getIntervalHistogram(), sendCall.getIntervalHistogram());
    } finally {
      users.shutdownNow();
      messages.shutdownNow();
      frontend.shutdownNow();
    }
  }

  /** Sends from {@code o.senders()} threads for {@code length}; only a measured phase is recorded. */
  private void load(ManagedChannel messages, List<String> senders, List<String> receivers, Map<String, String> tokens, Duration length, boolean measured)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(o.senders());
    long endNanos = System.nanoTime() + length.toNanos();
    double perThreadRate = o.rate() > 0 ? (double) o.rate() / o.senders() : 0;
    List<Future<?>> loops = new ArrayList<>();
    for (int t = 0; t < o.senders(); t++) {
      int thread = t;
      loops.add(pool.submit(() -> sendLoop(messages, senders, receivers, tokens, thread, endNanos, perThreadRate, measured)));
    }
    for (Future<?> f : loops) {
      f.get();
    }
    pool.shutdown();
  }

  private void sendLoop(
      ManagedChannel channel, List<String> senders, List<String> receivers, Map<String, String> tokens, int thread, long endNanos, double rate, boolean measured) {
    long interval = rate > 0 ? (long) (1e9 / rate) : 0;
    long next = System.nanoTime();
    int i = thread;
    while (System.nanoTime() < endNanos) {
      int pair = i++ % senders.size();
      String from = senders.get(pair);
      var stub = MessageServiceGrpc.newBlockingStub(channel).withCallCredentials(PeerChannel.bearer(tokens.get(from)));
      long t0 = System.nanoTime();
      try {
        var m = stub.sendMessage(SendMessageRequest.newBuilder().setSenderEmail(from).setReceiverEmail(receivers.get(pair)).setContent((measured ? MEASURED : WARM_UP) + t0).build());
        if (measured) {
          sendCall.recordValue((System.nanoTime() - t0) / 1000);
          sentIds.put(m.getId(), Boolean.TRUE);
        }
      } catch (RuntimeException e) {
        if (measured) {
          errors.incrementAndGet();
        }
      }
      if (interval > 0) {
        next += interval;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
  }

  private void subscribe(ManagedChannel channel, String email, String token) {
    FrontendServiceGrpc.newStub(channel)
        .withCallCredentials(PeerChannel.bearer(token))
        .subscribe(
            SubscribeRequest.newBuilder().setEmail(email).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(Notification n) {
                long now = System.nanoTime();
                String preview = n.getPreview();
                if (!preview.startsWith(MEASURED)) {
                  return; // the warm-up's
                }
                if (!receivedIds.add(n.getMessageId())) {
                  duplicates.incrementAndGet();
                  return;
                }
                endToEnd.recordValue(Math.max(0, (now - Long.parseLong(preview.substring(MEASURED.length()))) / 1000));
              }

              @Override
              public void onError(Throwable t) {
                errors.incrementAndGet();
              }

              @Override
              public void onCompleted() {}
            });
  }

  private static Map<String, String> register(ManagedChannel channel, List<String> senders, List<String> receivers) throws Exception {
    Map<String, String> tokens = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    List<String> all = new ArrayList<>(senders);
    all.addAll(receivers);
    for (String email : all) {
      done.add(pool.submit(() -> {
        var stub = UserServiceGrpc.newBlockingStub(channel);
        stub.registerUser(RegisterUserRequest.newBuilder().setName("bench").setEmail(email).setPassword("bench-password").build());
        tokens.put(email, stub.authenticateUser(AuthenticateUserRequest.newBuilder().setEmail(email).setPassword("bench-password").build()).getToken());
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return tokens;
  }

  private ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress(sut.host, port).usePlaintext().maxInboundMessageSize(1 << 20).build();
  }
}
