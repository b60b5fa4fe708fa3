package parley.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.runtime.error.ErrorCode;
import parley.runtime.error.ServiceException;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/** Group commit against a real Redis: every command answered once, and a full queue refuses at once. */
@ExtendWith(RedisExtension.class)
class GroupCommitTest {
    private final TestRedis redis;
    private RedisConnections connections;
    private GroupCommit group;

    GroupCommitTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void connect() {
        connections = new RedisConnections();
        connections.connect(redis.url(3)).sync().del("counter");
    }

    @AfterEach
    void close() {
        if (group != null) {
            group.close();
        }
        connections.close();
    }

    @Test
    void concurrentCommandsAreAllAnsweredInFewerWritesThanCommands() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        group = new GroupCommit(connections.connect(redis.url(3)), "test", 10_000, 10_000, registry);
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    CompletableFuture<Long> r =
                            group.submit(on -> on.incr("counter").toCompletableFuture());
                    synchronized (replies) {
                        replies.add(r);
                    }
                }
            }));
        }
        for (Thread t : callers) {
            t.join();
        }

        List<Long> values =
                replies.stream().map(CompletableFuture::join).sorted().toList();
        assertThat(values).hasSize(4000).doesNotHaveDuplicates();
        assertThat(values.get(values.size() - 1)).isEqualTo(4000L);
        assertThat(registry.get("parley.redis.group_writes")
                        .tag("name", "test")
                        .counter()
                        .count())
                .as("writes (flushes)")
                .isLessThan(4000);
    }

    @Test
    void whenRedisStallsAFullQueueRefusesAtOnceAndEveryAcceptedCommandLandsOnce() throws Exception {
        group = new GroupCommit(connections.connect(redis.url(3)), "test", 10, 5, new SimpleMeterRegistry());
        var admin = connections.connect(redis.url(3)).sync();
        admin.clientPause(1500); // Redis holds every command for 1.5 s

        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(group.submit(on -> on.incr("counter").toCompletableFuture()));
        }
        long refused =
                replies.stream().filter(r -> r.isCompletedExceptionally()).count();

        // bounded: the queue (10), one write in hand and the commands awaiting Redis (5 each)
        assertThat(refused).isGreaterThanOrEqualTo(200 - 20);
        for (CompletableFuture<Long> r : replies) {
            if (r.isCompletedExceptionally()) {
                try {
                    r.join();
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(ServiceException.class);
                    assertThat(((ServiceException) e.getCause()).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
                }
            }
        }
        List<Long> accepted = replies.stream()
                .filter(r -> !r.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .toList();
        assertThat(accepted).hasSize((int) (200 - refused)).doesNotHaveDuplicates();
        assertThat(admin.get("counter")).isEqualTo(Long.toString(accepted.size()));
    }
}
