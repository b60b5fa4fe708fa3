package parley.message.domain;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Who is registered (user-svc). */
public interface UserDirectory {
    /**
     * Completes with the emails among {@code emails} that are not registered, in the given order;
     * fails with a ServiceException (UNAVAILABLE) when the answer cannot be had. Never blocks.
     */
    CompletableFuture<List<String>> unregisteredAsync(List<String> emails);
}
