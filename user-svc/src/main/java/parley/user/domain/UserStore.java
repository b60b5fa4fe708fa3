package parley.user.domain;

import java.util.Optional;

/** Where accounts live. Every write also appends its event, atomically. */
public interface UserStore {
  /** @return false when the email is taken (nothing stored) */
  boolean create(StoredUser user);

  Optional<StoredUser> find(String email);

  boolean exists(String email);

  /** @return false when the account does not exist */
  boolean update(StoredUser user);

  /** @return false when the account did not exist */
  boolean delete(String email);

  /** Accounts in email order, after {@code afterEmail} (exclusive) when non-empty. */
  UserPage list(int pageSize, String afterEmail);
}
