package parley.user;

import parley.runtime.ServiceMain;

/** {@code java -jar user-svc.jar}: reads the environment and runs user-svc until stopped. */
public final class UserServiceMain {
    private UserServiceMain() {}

    public static void main(String[] args) {
        ServiceMain.run("user-svc", env -> UserApp.start(UserConfig.from(env)));
    }
}
