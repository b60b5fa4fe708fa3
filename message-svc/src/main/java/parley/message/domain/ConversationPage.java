package parley.message.domain;

import java.util.List;

public record ConversationPage(List<Conversation> conversations, String nextPageToken) {}
