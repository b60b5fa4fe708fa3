package parley.events;

import java.util.Arrays;
import java.util.Optional;

/** The wire names of the event types, one per record. */
public enum EventType {
    USER_REGISTERED("UserRegistered"),
    USER_UPDATED("UserUpdated"),
    USER_DELETED("UserDeleted"),
    MESSAGE_SENT("MessageSent"),
    MESSAGE_READ("MessageRead"),
    MESSAGE_DELETED("MessageDeleted");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<EventType> fromWire(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }

    static EventType of(DomainEvent event) {
        return switch (event) {
            case UserRegistered e -> USER_REGISTERED;
            case UserUpdated e -> USER_UPDATED;
            case UserDeleted e -> USER_DELETED;
            case MessageSent e -> MESSAGE_SENT;
            case MessageRead e -> MESSAGE_READ;
            case MessageDeleted e -> MESSAGE_DELETED;
        };
    }
}
