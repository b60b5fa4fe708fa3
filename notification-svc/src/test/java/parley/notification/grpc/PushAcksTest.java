package parley.notification.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import parley.frontend.v1.PushResult;
import parley.notification.domain.Notifications.DeliveryAck;
import parley.notification.v1.AckDeliveredRequest;

class PushAcksTest {
    private final List<List<DeliveryAck>> removals = new CopyOnWriteArrayList<>();

    /** A linger long enough that nothing leaves by the timer while a test is still adding acks. */
    private PushAcks acks() {
        PushAcks acks = new PushAcks(Duration.ofSeconds(1));
        acks.sendTo(batch -> {
            removals.add(batch);
            return CompletableFuture.completedFuture((long) batch.size());
        });
        return acks;
    }

    private static PushResult answer(String email, String... ids) {
        return PushResult.newBuilder()
                .addAcks(AckDeliveredRequest.newBuilder().setEmail(email).addAllIds(List.of(ids)))
                .build();
    }

    @Test
    void acksThatArriveTogetherAreRemovedInOneGoAcrossUsers() {
        try (PushAcks acks = acks()) {
            acks.accept(answer("ana@example.com", "1-0"));
            acks.accept(answer("bo@example.com", "2-0"));
            acks.accept(answer("ana@example.com", "3-0"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !removals.isEmpty());
            assertThat(removals).hasSize(1);
            assertThat(removals.getFirst())
                    .extracting(DeliveryAck::email)
                    .containsExactly("ana@example.com", "bo@example.com", "ana@example.com");
        }
    }

    @Test
    void aFullGatheringLeavesAtOnceSoNoRemovalExceedsItsLimits() {
        try (PushAcks acks = acks()) {
            String[] ids = IntStream.range(0, 1000).mapToObj(i -> i + "-0").toArray(String[]::new);
            for (int user = 0; user < PushAcks.FLUSH_AT_IDS / 1000; user++) {
                acks.accept(answer("u" + user + "@example.com", ids));
            }
            // the fifth user's thousand ids reached the bound: removed without waiting for the timer
            assertThat(removals).hasSize(1);
            assertThat(removals.getFirst()).hasSize(PushAcks.FLUSH_AT_IDS / 1000);
        }
    }

    @Test
    void closingRemovesWhatIsStillGathered() {
        PushAcks acks = acks();
        acks.accept(answer("ana@example.com", "1-0"));
        acks.close();
        assertThat(removals).hasSize(1);
    }
}
