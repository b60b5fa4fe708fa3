package parley.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import parley.events.MessageSent;

/** The contract's pure rules: emails, notification ids, previews. No Redis. */
class RulesTest {
    @Test
    void anEmailIsTrimmedAndLowerCasedSinceEmailsAreKeys() {
        assertThat(Emails.normalized("  Ana.Gomez+x@Example.COM ")).contains("ana.gomez+x@example.com");
    }

    @Test
    void anythingThatIsNotAnAddressIsRefused() {
        for (String bad : List.of("", "ana", "ana@", "@x.io", "ana@x", "a na@x.io", "ana@@x.io", "ana@x.i")) {
            assertThat(Emails.normalized(bad)).as(bad).isEmpty();
        }
        assertThat(Emails.normalized(null)).isEmpty();
        assertThat(Emails.normalized("a".repeat(64) + "@" + "b".repeat(190) + ".io"))
                .isEmpty(); // > 254
    }

    @Test
    void theHandWrittenEmailCheckAgreesWithThePatternThatDefinesIt() {
        // strings from an alphabet of the characters that matter, short enough to hit edge cases
        String alphabet = "ab.Z9-_@%+'x.@ é";
        Random random = new Random(42);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(14);
            for (int i = 0; i < length; i++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String v = s.toString();
            assertThat(Emails.valid(v)).as(v).isEqualTo(Emails.EMAIL.matcher(v).matches());
        }
        for (String v : List.of(
                "a@b.co",
                "a@b.c",
                "a@b..co",
                "a@.b.co",
                "a@b.co.",
                "a@-.co",
                "a@b.c0",
                "a@b-c.d-e.fg",
                "@b.co",
                "a".repeat(64) + "@b.co",
                "a".repeat(65) + "@b.co",
                "a@b." + "c".repeat(63),
                "a@b." + "c".repeat(64),
                "a@b@c.co",
                "a@bco",
                "a b@c.co")) {
            assertThat(Emails.valid(v)).as(v).isEqualTo(Emails.EMAIL.matcher(v).matches());
        }
    }

    @Test
    void notificationIdsOrderNumericallyNotAsText() {
        List<String> ids = new ArrayList<>(List.of("10-0", "9-1", "9-10", "9-2", "100-0"));
        ids.sort(NotificationIds.ORDER);
        assertThat(ids).containsExactly("9-1", "9-2", "9-10", "10-0", "100-0");
    }

    @Test
    void onlyStreamIdShapedNotificationIdsAreValid() {
        assertThat(NotificationIds.isValid("1732320000000-0")).isTrue();
        for (String bad : List.of("", "1732320000000", "a-0", "1-", "-1", "1-0-0", "12345678901234567890-0")) {
            assertThat(NotificationIds.isValid(bad)).as(bad).isFalse();
        }
        assertThat(NotificationIds.isValid(null)).isFalse();
    }

    @Test
    void aShortMessageIsItsOwnPreview() {
        assertThat(MessageSent.previewOf("hola")).isEqualTo("hola");
        assertThat(MessageSent.previewOf("x".repeat(MessageSent.PREVIEW_CHARS))).hasSize(MessageSent.PREVIEW_CHARS);
        assertThat(MessageSent.previewOf(null)).isEmpty();
    }

    @Test
    void aLongMessageIsCutWithAnEllipsisNeverInsideASurrogatePair() {
        String emoji = "😀"; // two chars
        String content = "x".repeat(MessageSent.PREVIEW_CHARS - 1) + emoji + "tail";

        String preview = MessageSent.previewOf(content);

        assertThat(preview).isEqualTo("x".repeat(MessageSent.PREVIEW_CHARS - 1) + "…");
        assertThat(MessageSent.previewOf("y".repeat(500))).isEqualTo("y".repeat(MessageSent.PREVIEW_CHARS) + "…");
    }
}
