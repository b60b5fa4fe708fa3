package parley.message.domain;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Who is registered (user-svc). */
public interface UserDirectory {
  /**
   * @return the emails among {@code emails} that are not registered, in the given order
   * @throws parley.runtime.error.ServiceException UNAVAILABLE when the answer cannot be had
   */
  List<String> unregistered(List<String> emails);

  /** The same without waiting; fails with the same ServiceException. */
  CompletableFuture<List<String>> unregisteredAsync(List<String> emails);
}
