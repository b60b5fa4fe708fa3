package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.launcher.FreePorts;
import parley.testkit.RedisExtension;
import parley.testkit.SseClient;
import parley.testkit.TestRedis;

/**
 * The whole system over TLS to Redis ({@code rediss://} in every URL): the test Redis is given a
 * TLS port with a certificate made for the test, and the services are given only that port, which
 * speaks nothing but TLS.
 */
@ExtendWith(RedisExtension.class)
class TlsRedisTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestRedis redis;
    private ParleyStack stack;
    private SseClient events;
    private boolean tlsOn;

    TlsRedisTest(TestRedis redis) {
        this.redis = redis;
    }

    @AfterEach
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (tlsOn) {
            try (var admin = redis.connect(0)) {
                admin.sync().configSet("tls-port", "0");
            }
        }
    }

    @Test
    void everyServiceWorksOverTlsToRedis() throws Exception {
        Path dir = Files.createTempDirectory("parley-tls-");
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        Process openssl;
        try {
            openssl = new ProcessBuilder(List.of(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "rsa:2048",
                            "-nodes",
                            "-keyout",
                            key.toString(),
                            "-out",
                            cert.toString(),
                            "-days",
                            "1",
                            "-subj",
                            "/CN=localhost"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile())
                    .start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "openssl is not installed: " + e.getMessage());
            return;
        }
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .as("openssl made a certificate")
                .isTrue();
        int tlsPort = FreePorts.next();
        try (var admin = redis.connect(0)) {
            try {
                admin.sync()
                        .configSet(Map.of(
                                "tls-cert-file",
                                cert.toString(),
                                "tls-key-file",
                                key.toString(),
                                "tls-ca-cert-file",
                                cert.toString(),
                                "tls-auth-clients",
                                "no"));
                admin.sync().configSet("tls-port", Integer.toString(tlsPort));
                tlsOn = true;
            } catch (RuntimeException e) {
                // a Redis in a container cannot read the files, or one built without TLS
                assumeTrue(false, "this test Redis cannot open a TLS port: " + e.getMessage());
            }
        }

        // the certificate is the test's own: encryption without verifying it (see docs/security.md for
        // trusting a private CA in production)
        stack = new ParleyStack(
                redis,
                Map.of(),
                (service, db) -> "rediss://" + redis.host() + ":" + tlsPort + "/" + db + "?verifyPeer=NONE");
        String uni = stack.register("uni@example.com");
        String fc = stack.register("fc@example.com");
        events = new SseClient(stack.frontendHttp, fc, null);
        assertThat(stack.send(uni, "fc@example.com", "hola over TLS").status()).isEqualTo(201);
        SseClient.Event got = events.next("notification", WAIT);
        assertThat(got).isNotNull();
        assertThat(got.data()).contains("hola over TLS");
        try (var plain = redis.connect(2)) {
            assertThat(plain.sync().lrange("notifications:fc@example.com", 0, -1))
                    .as("stored through the TLS port")
                    .hasSize(1);
        }
    }
}
