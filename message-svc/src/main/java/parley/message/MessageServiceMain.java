package parley.message;

import parley.runtime.ServiceMain;

/** {@code java -jar message-svc.jar}: reads the environment and runs message-svc until stopped. */
public final class MessageServiceMain {
    private MessageServiceMain() {}

    public static void main(String[] args) {
        ServiceMain.run("message-svc", env -> MessageApp.start(MessageConfig.from(env)));
    }
}
