package parley.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import parley.runtime.error.ServiceException;

/** Notifications' pure rule for client cursors (after_id, Last-Event-ID). No Redis. */
class NotificationsRulesTest {
    @Test
    void noCursorMeansFromTheStart() {
        assertThat(Notifications.cursor("after_id", null)).isNull();
        assertThat(Notifications.cursor("after_id", "  ")).isNull();
    }

    @Test
    void aCursorIsANotificationIdTrimmed() {
        assertThat(Notifications.cursor("after_id", " 1732320000000-3 ")).isEqualTo("1732320000000-3");
    }

    @Test
    void aMalformedCursorIsRefusedNamingItsField() {
        assertThatThrownBy(() -> Notifications.cursor("after_id", "yesterday"))
                .isInstanceOf(ServiceException.class)
                .hasMessageStartingWith("after_id must be a notification id");
    }
}
