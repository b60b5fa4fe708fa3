package parley.notification;

import parley.runtime.ServiceMain;

/** {@code java -jar notification-svc.jar}: reads the environment and runs notification-svc until stopped. */
public final class NotificationServiceMain {
    private NotificationServiceMain() {}

    public static void main(String[] args) {
        ServiceMain.run("notification-svc", env -> NotificationApp.start(NotificationConfig.from(env)));
    }
}
