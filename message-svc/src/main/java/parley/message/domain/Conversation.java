package parley.message.domain;

import java.time.Instant;

/** A conversation seen by one party: {@code unreadCount} is what that party has not read. */
public record Conversation(
        String withEmail, Message lastMessage, long messageCount, long unreadCount, Instant updatedAt) {}
