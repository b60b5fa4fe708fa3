package parley.user.redis;

import java.util.List;
import parley.events.Streams;

/**
 * Every key user-svc uses, built here only, in the layout of the Redis it runs on.
 *
 * <p>Standalone (DB 0): {@code user:<email>}, {@code token_version:<email>}, {@code
 * login_failures:<email>}, the listing index {@code users} and the stream {@code events:users}.
 *
 * <p>Redis Cluster (SPEC §7.1): an account's unit of atomicity is its email, and a write appends
 * its event in the same script, so every key of an account carries the hash tag of the email's
 * shard ({@link Streams#shardOf}): {@code user:{N}:<email>}, {@code token_version:{N}:<email>},
 * {@code login_failures:{N}:<email>}, the shard's listing index {@code users:{N}} and its stream
 * {@code events:users:{N}}. The 16 shards spread over the masters.
 */
public final class UserKeys {
    private final boolean cluster;

    public UserKeys(boolean cluster) {
        this.cluster = cluster;
    }

    /** The prefix {@code kind:} plus the shard's tag on a cluster: {@code user:{3}:}. */
    private String prefix(String kind, String email) {
        return cluster ? kind + ":" + Streams.tag(Streams.shardOf(email)) + ":" : kind + ":";
    }

    /** JSON {@code {name, email, password: <bcrypt hash>, created_at, token_version}}. */
    public String user(String email) {
        return prefix("user", email) + email;
    }

    /**
     * The email's token version (a counter): raised by registering, a new password and deleting;
     * tokens carry it as {@code ver}. Kept after a deletion, so a later account continues from it.
     */
    public String tokenVersion(String email) {
        return prefix("token_version", email) + email;
    }

    /** Failed login count, expiring with the rate-limit window. */
    public String loginFailures(String email) {
        return prefix("login_failures", email) + email;
    }

    /** The sorted set (all scores 0, for listing in email order) that holds {@code email}. */
    public String index(String email) {
        return cluster ? "users:" + Streams.tag(Streams.shardOf(email)) : "users";
    }

    /** Every listing index: {@code users}, or one per shard. */
    public List<String> indexes() {
        return cluster ? Streams.all("users", true) : List.of("users");
    }

    /** The stream an account's events go to. */
    public String events(String email) {
        return cluster ? Streams.shard(Streams.USERS, Streams.shardOf(email)) : Streams.USERS;
    }
}
