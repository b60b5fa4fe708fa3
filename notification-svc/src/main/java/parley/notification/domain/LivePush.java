package parley.notification.domain;

import java.util.concurrent.CompletionStage;

/** Hands a notification to frontend-svc; completes with whether a live connection got it. */
public interface LivePush {
    CompletionStage<Boolean> push(Notification notification);
}
