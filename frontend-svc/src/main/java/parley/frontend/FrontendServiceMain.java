package parley.frontend;

import parley.runtime.ServiceMain;

/** {@code java -jar frontend-svc.jar}: reads the environment and runs frontend-svc until stopped. */
public final class FrontendServiceMain {
    private FrontendServiceMain() {}

    public static void main(String[] args) {
        ServiceMain.run("frontend-svc", env -> FrontendApp.start(FrontendConfig.from(env)));
    }
}
