package parley.message.domain;

import java.util.List;

/** Messages newest first; {@code nextBeforeId} is 0 when there are no older ones. */
public record MessagePage(List<Message> messages, long nextBeforeId) {}
