package parley.events;

import java.util.Arrays;
import java.util.Optional;

/** The wire names of the event types, one per record. */
public enum EventType {
  USER_REGISTERED("UserRegistered", Streams.USERS),
  USER_UPDATED("UserUpdated", Streams.USERS),
  USER_DELETED("UserDeleted", Streams.USERS),
  MESSAGE_SENT("MessageSent", Streams.MESSAGES),
  MESSAGE_READ("MessageRead", Streams.MESSAGES),
  MESSAGE_DELETED("MessageDeleted", Streams.MESSAGES);

  private final String wire;
  private final String stream;

  EventType(String wire, String stream) {
    this.wire = wire;
    this.stream = stream;
  }

  public String wire() {
    return wire;
  }

  /** The stream this type of event is appended to. */
  public String stream() {
    return stream;
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
