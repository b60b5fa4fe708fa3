package parley.testkit;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a real, empty Redis: {@code @ExtendWith(RedisExtension.class)} and a {@link
 * TestRedis} parameter (constructor, lifecycle or test method). Every test starts on a flushed
 * server. The server is found once per test JVM by {@link TestRedis#shared()}.
 */
public final class RedisExtension implements BeforeEachCallback, ParameterResolver {

    @Override
    public void beforeEach(ExtensionContext context) {
        TestRedis.shared().flushAll();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestRedis.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return TestRedis.shared();
    }
}
