package parley.message.domain;

import java.time.Instant;

public record Message(long id, String senderEmail, String receiverEmail, String content, Instant timestamp) {}
