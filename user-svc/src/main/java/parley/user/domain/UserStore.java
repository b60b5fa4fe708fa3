package parley.user.domain;

import java.util.Optional;

/** Where accounts live. Every write also appends its event, atomically. */
public interface UserStore {
    /** @return the account's token version, or -1 when the email is taken (nothing stored) */
    long create(StoredUser user);

    Optional<StoredUser> find(String email);

    boolean exists(String email);

    /**
     * @param newCredentials raise the token version: every earlier token stops being valid
     * @return the account's token version afterwards, or -1 when the account does not exist
     */
    long update(StoredUser user, boolean newCredentials);

    /** @return the raised token version (every token of the account stops being valid), or -1 when the account did not exist */
    long delete(String email);

    /** Accounts in email order, after {@code afterEmail} (exclusive) when non-empty. */
    UserPage list(int pageSize, String afterEmail);
}
