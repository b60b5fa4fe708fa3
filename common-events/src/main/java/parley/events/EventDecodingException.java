package parley.events;

/** A stream entry that is not a valid event: unknown type, missing or malformed field. */
public final class EventDecodingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EventDecodingException(String message) {
        super(message);
    }
}
