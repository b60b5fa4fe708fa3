package parley.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import parley.runtime.config.ConfigException;
import parley.runtime.config.Env;

/** The shared {@code main}: fail fast on bad config, start, stop gracefully on SIGTERM/Ctrl-C. */
public final class ServiceMain {
  private ServiceMain() {}

  public static void run(String name, Function<Env, ServiceHost> starter) {
    ServiceHost host;
    try {
      host = starter.apply(Env.system());
    } catch (ConfigException e) {
      System.err.println(name + ": configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println(name + ": failed to start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  host.close();
                  stopped.countDown();
                },
                name + "-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
