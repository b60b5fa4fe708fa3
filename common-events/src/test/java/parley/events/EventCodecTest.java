package parley.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
    private static final Instant AT = Instant.parse("2026-11-23T10:15:30.123Z");

    static List<DomainEvent> everyEventType() {
        return List.of(
                new UserRegistered("e1", AT, "uni@example.com", "Uni"),
                new UserUpdated("e2", AT, "uni@example.com", "Universidad"),
                new UserDeleted("e3", AT, "uni@example.com"),
                new MessageSent("e4", AT, 42, "uni@example.com", "fc@example.com", "hola, ¿qué tal?"),
                new MessageRead("e5", AT, "fc@example.com", "uni@example.com", 42),
                new MessageDeleted("e6", AT, 42, "uni@example.com", "fc@example.com"));
    }

    @ParameterizedTest
    @MethodSource("everyEventType")
    void everyEventSurvivesARoundTrip(DomainEvent event) {
        assertThat(EventCodec.decode(EventCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void aUserEventsTokenVersionSurvivesARoundTripAndIsZeroWhenAbsent() {
        for (DomainEvent e : List.of(
                new UserRegistered("e7", AT, "uni@example.com", "Uni", 3),
                new UserUpdated("e8", AT, "uni@example.com", "Uni", 4),
                new UserDeleted("e9", AT, "uni@example.com", 5))) {
            assertThat(EventCodec.encode(e)).containsKey(EventCodec.TOKEN_VERSION);
            assertThat(EventCodec.decode(EventCodec.encode(e))).isEqualTo(e);
        }
        assertThat(EventCodec.encode(new UserDeleted("e9", AT, "uni@example.com")))
                .doesNotContainKey(EventCodec.TOKEN_VERSION);
    }

    @Test
    void everyEventTypeIsCoveredByTheRoundTripTest() {
        assertThat(everyEventType().stream().map(DomainEvent::type))
                .containsExactlyInAnyOrderElementsOf(List.of(EventType.values()).stream()
                        .map(EventType::wire)
                        .toList());
    }

    @Test
    void encodedFieldsAreFlatReadableStringsWithTheCommonHeaderFirst() {
        Map<String, String> fields = EventCodec.encode(new MessageSent("e4", AT, 42, "a@x.io", "b@x.io", "hi"));

        assertThat(fields)
                .containsExactly(
                        Map.entry("type", "MessageSent"),
                        Map.entry("event_id", "e4"),
                        Map.entry("occurred_at", "2026-11-23T10:15:30.123Z"),
                        Map.entry("v", "1"),
                        Map.entry("message_id", "42"),
                        Map.entry("sender_email", "a@x.io"),
                        Map.entry("receiver_email", "b@x.io"),
                        Map.entry("preview", "hi"));
    }

    @Test
    void anUnknownTypeIsATypedError() {
        Map<String, String> fields = valid();
        fields.put("type", "MessageExploded");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("unknown event type 'MessageExploded'");
    }

    @Test
    void aMissingFieldIsATypedErrorNamingIt() {
        Map<String, String> fields = valid();
        fields.remove("receiver_email");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("missing field 'receiver_email'");
    }

    @Test
    void aMalformedNumberIsATypedError() {
        Map<String, String> fields = valid();
        fields.put("message_id", "forty-two");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("'message_id' is not a number");
    }

    @Test
    void aMalformedTimestampIsATypedError() {
        Map<String, String> fields = valid();
        fields.put("occurred_at", "yesterday");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("not an ISO-8601 instant");
    }

    @Test
    void anUnsupportedVersionIsATypedError() {
        Map<String, String> fields = valid();
        fields.put("v", "99");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("unsupported version v=99");
    }

    @Test
    void anEmptyOrNullEntryIsATypedError() {
        assertThatThrownBy(() -> EventCodec.decode(Map.of())).isInstanceOf(EventDecodingException.class);
        assertThatThrownBy(() -> EventCodec.decode(null)).isInstanceOf(EventDecodingException.class);
    }

    @Test
    void anEntryWithoutTypeIsATypedError() {
        Map<String, String> fields = valid();
        fields.remove("type");

        assertThatThrownBy(() -> EventCodec.decode(fields))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("missing field 'type'");
    }

    private static Map<String, String> valid() {
        return new HashMap<>(EventCodec.encode(new MessageSent("e4", AT, 42, "a@x.io", "b@x.io", "hi")));
    }
}
