package parley.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import parley.notification.v1.Notification;

class NotificationJsonTest {
    private final Notification n = Notification.newBuilder()
            .setId("1795463208941-0")
            .setSenderEmail("uni@example.com")
            .setReceiverEmail("fc@example.com")
            .setMessageId(7)
            .setPreview("hola \"fc\" ñ")
            .setTimestamp("2026-11-23T19:46:48.922Z")
            .setRead(true)
            .build();

    @Test
    void aNotificationSurvivesTheRoundTripWithTheListsFieldNamesAndTypes() {
        String json = NotificationJson.write(n);

        assertThat(json)
                .isEqualTo(
                        "{\"id\":\"1795463208941-0\",\"sender_email\":\"uni@example.com\",\"receiver_email\":\"fc@example.com\",\"message_id\":7,"
                                + "\"preview\":\"hola \\\"fc\\\" ñ\",\"timestamp\":\"2026-11-23T19:46:48.922Z\",\"read\":true}");
        assertThat(NotificationJson.read(json)).isEqualTo(n);
    }

    @Test
    void somethingElseOnTheChannelIsRefusedWithAClearError() {
        assertThatThrownBy(() -> NotificationJson.read("hello"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> NotificationJson.read("[1,2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a notification object");
    }

    @Test
    void aBatchPayloadIsReadOldestFirstWithEachObjectsOwnTextToPassOn() {
        Notification second =
                n.toBuilder().setId("1795463208941-1").setRead(false).build();
        String payload = NotificationJson.writeAll(List.of(n, second));

        List<NotificationJson.Parsed> read = NotificationJson.readAll(payload);

        assertThat(read).extracting(NotificationJson.Parsed::notification).containsExactly(n, second);
        assertThat(read)
                .extracting(NotificationJson.Parsed::text)
                .containsExactly(NotificationJson.write(n), NotificationJson.write(second));
        assertThat(NotificationJson.Parsed.of(n).text()).isEqualTo(NotificationJson.write(n));
    }

    @Test
    void trailingTextAfterANotificationIsRefused() {
        assertThatThrownBy(() -> NotificationJson.readAll(NotificationJson.write(n) + " {}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
