package parley.user.domain;

import java.util.List;

/** One page of accounts; {@code nextPageToken} is empty on the last page. */
public record UserPage(List<User> users, String nextPageToken) {}
