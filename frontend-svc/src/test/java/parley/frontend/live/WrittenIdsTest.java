package parley.frontend.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import parley.rules.NotificationIds;

class WrittenIdsTest {

    @Test
    void anIdIsNewOnceAndAWrittenOneIsRecognisedWhateverTheOrderItCameIn() {
        WrittenIds ids = new WrittenIds(100);
        assertThat(ids.add("300-0")).isTrue();
        assertThat(ids.add("100-0")).isTrue(); // out of order: inserted in place
        assertThat(ids.add("200-5")).isTrue();
        assertThat(ids.add("300-0")).isFalse();
        assertThat(ids.add("100-0")).isFalse();
        assertThat(ids.add("200-5")).isFalse();
        assertThat(ids.add("200-4")).isTrue();
        assertThat(ids.size()).isEqualTo(4);
    }

    @Test
    void pastItsCapacityItForgetsTheLowestIds() {
        WrittenIds ids = new WrittenIds(1000);
        for (int i = 1; i <= 1500; i++) {
            assertThat(ids.add(i + "-0")).isTrue();
        }
        assertThat(ids.size()).isEqualTo(1000);
        assertThat(ids.add("1500-0")).isFalse();
        assertThat(ids.add("501-0")).isFalse(); // the lowest remembered
        assertThat(ids.add("500-0")).isTrue(); // forgotten: written again
        assertThat(ids.size()).isEqualTo(1000);
    }

    @Test
    void idsThatDoNotFitALongAreRememberedAsWell() {
        WrittenIds ids = new WrittenIds(10);
        String huge = "99999999999999999-0";
        String longSeq = "1732320000000-9999999";
        assertThat(WrittenIds.pack(huge)).isNegative();
        assertThat(WrittenIds.pack(longSeq)).isNegative();
        assertThat(ids.add(huge)).isTrue();
        assertThat(ids.add(longSeq)).isTrue();
        assertThat(ids.add(huge)).isFalse();
        assertThat(ids.add(longSeq)).isFalse();
    }

    @Test
    void packedIdsOrderAsTheIdRuleOrdersThem() {
        Random random = new Random(7);
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            long ms = random.nextInt(4) == 0 ? random.nextInt(1000) : 1_732_320_000_000L + random.nextInt(100_000);
            sample.add(ms + "-" + random.nextInt(random.nextBoolean() ? 3 : 500_000));
        }
        for (int i = 1; i < sample.size(); i++) {
            String a = sample.get(i - 1);
            String b = sample.get(i);
            assertThat(Long.signum(Long.compare(WrittenIds.pack(a), WrittenIds.pack(b))))
                    .as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(NotificationIds.compare(a, b)));
        }
    }

    /** Against the bounded set of strings it replaced, on a mostly rising stream with repeats and late ids. */
    @Test
    void itAnswersAsABoundedSetOfTheLatestIdsWouldOnAMostlyRisingStream() {
        int capacity = 300;
        WrittenIds ids = new WrittenIds(capacity);
        Set<String> model = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        });
        Random random = new Random(11);
        List<String> history = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long ms = 1_732_320_000_000L;
        for (int i = 0; i < 20_000; i++) {
            String id;
            int pick = random.nextInt(10);
            if (pick < 7 || history.size() < 50) {
                ms += random.nextInt(3);
                id = ms + "-" + random.nextInt(3);
            } else {
                // a repeat or a late arrival from the last few dozen: within the window, where both must agree
                id = history.get(history.size() - 1 - random.nextInt(50));
            }
            if (seen.add(id)) {
                history.add(id);
            }
            // a late id that the model forgot is "new" in both; within the window both remember it
            assertThat(ids.add(id)).as("id %s at step %d", id, i).isEqualTo(model.add(id));
        }
        assertThat(ids.size()).isEqualTo(capacity);
    }
}
