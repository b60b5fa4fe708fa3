package parley.notification.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12, example 12: one user's burst must not hold up another user's notification. */
class FairQueueTest {
    private record Item(String user, int n) {}

    private final FairQueue<Item> queue = new FairQueue<>(Item::user, 50);

    @Test
    void anotherUsersItemIsNotHeldUpBehindOneUsersBurst() {
        for (int i = 0; i < 3000; i++) {
            queue.add(new Item("a", i));
        }
        queue.add(new Item("b", 0));

        List<Item> firstBatch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            firstBatch.add(queue.poll());
        }

        assertThat(firstBatch.indexOf(new Item("b", 0))).isEqualTo(50);
    }

    @Test
    void eachUsersOrderIsKeptAcrossTurnsAndReSends() {
        for (int i = 0; i < 120; i++) {
            queue.add(new Item("a", i));
            queue.add(new Item("b", i));
        }
        // a re-send puts a user's unanswered items back at the front, newest first
        for (int i = -1; i >= -3; i--) {
            queue.addFirst(new Item("a", i));
        }
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        Item item;
        while ((item = queue.poll()) != null) {
            (item.user().equals("a") ? a : b).add(item.n());
        }
        assertThat(a).hasSize(123).isSorted().startsWith(-3, -2, -1, 0);
        assertThat(b).hasSize(120).isSorted();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void givingUpTheOldItemsOfAUserKeepsTheRestInTurn() {
        queue.add(new Item("a", 1));
        queue.add(new Item("b", 1));
        queue.add(new Item("a", 2));
        List<Item> removed = new ArrayList<>();

        queue.removeIf(i -> i.user().equals("a") && i.n() < 2, removed::add);

        assertThat(removed).containsExactly(new Item("a", 1));
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.poll()).isEqualTo(new Item("a", 2));
        assertThat(queue.poll()).isEqualTo(new Item("b", 1));
        assertThat(queue.poll()).isNull();
    }
}
