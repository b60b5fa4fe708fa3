package parley.message.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.events.EventCodec;
import parley.events.EventDecodingException;
import parley.events.Streams;
import parley.events.UserDeleted;
import parley.runtime.redis.RedisLink;

/**
 * Follows {@code events:users} from "now" (every instance sees every event, no group) to drop
 * cached user checks when a user is deleted. A cache starts empty, so nothing earlier matters.
 */
public final class UserEventsTail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UserEventsTail.class);
    private final RedisLink blocking;
    private final Consumer<UserDeleted> onDeleted;
    private final Thread thread;
    private volatile boolean running = true;

    public UserEventsTail(RedisLink blocking, Consumer<UserDeleted> onDeleted) {
        this.blocking = blocking;
        this.onDeleted = onDeleted;
        this.thread = Thread.ofPlatform().daemon(true).name("users-tail").unstarted(this::run);
    }

    public UserEventsTail start() {
        thread.start();
        return this;
    }

    @SuppressWarnings("unchecked") // lettuce's xread takes StreamOffset<K>... (generic varargs)
    private void run() {
        String last = null;
        while (running) {
            if (last == null) {
                try {
                    last = latestId();
                } catch (RuntimeException e) {
                    log.warn("reading {} failed: {}; retrying", Streams.USERS, e.toString());
                    sleep();
                    continue;
                }
            }
            try {
                List<StreamMessage<String, String>> entries = blocking.sync()
                        .xread(
                                XReadArgs.Builder.block(Duration.ofSeconds(1)).count(100),
                                StreamOffset.from(Streams.USERS, last));
                for (StreamMessage<String, String> e : entries) {
                    last = e.getId();
                    try {
                        if (EventCodec.decode(e.getBody()) instanceof UserDeleted deleted) {
                            onDeleted.accept(deleted);
                        }
                    } catch (EventDecodingException bad) {
                        log.debug("skipping undecodable users entry {}: {}", e.getId(), bad.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("following {} failed: {}; retrying", Streams.USERS, e.toString());
                    sleep();
                }
            }
        }
    }

    /** Where "now" is: the newest entry's id (a repeated "$" would skip entries between reads). */
    private String latestId() {
        var newest = blocking.sync().xrevrange(Streams.USERS, Range.create("-", "+"), Limit.from(1));
        return newest.isEmpty() ? "0-0" : newest.get(0).getId();
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
