package parley.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import parley.runtime.error.ServiceException;

class HttpHostTest {

    @Test
    void stoppingLetsAnInFlightRequestFinish() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        HttpHost host = new HttpHost(
                        0,
                        routes -> routes.get("/slow", ctx -> {
                            inHandler.countDown();
                            Thread.sleep(800);
                            ctx.result("done");
                        }),
                        List.of(),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        cfg -> {})
                .start();
        CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/slow"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();

        host.close();

        HttpResponse<String> r = slow.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("done");
    }

    @Test
    void errorsAreJsonWithACodeAndNoStackTrace() throws Exception {
        HttpHost host = new HttpHost(
                        0,
                        routes -> {
                            routes.get("/bad", ctx -> {
                                throw ServiceException.invalid("bad thing");
                            });
                            routes.get("/boom", ctx -> {
                                throw new IllegalStateException("secret internals");
                            });
                        },
                        List.of(new ReadinessCheck("never", () -> false)),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        cfg -> {})
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> bad = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/bad"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> boom = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/boom"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/ready"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("\"error\":\"INVALID_ARGUMENT\"").contains("bad thing");
            assertThat(boom.statusCode()).isEqualTo(500);
            assertThat(boom.body())
                    .contains("INTERNAL")
                    .doesNotContain("secret internals")
                    .doesNotContain("at parley");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"never\":\"down\"");
        } finally {
            host.close();
        }
    }

    @Test
    void oversizedRequestLinesAndHeadersAreRefusedWithJsonAndTheConnectionClosed() throws Exception {
        HttpHost host = new HttpHost(
                        0,
                        routes -> routes.get("/x", ctx -> ctx.result("ok")),
                        List.of(),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        cfg -> {})
                .start();
        try {
            String longLine = rawAnswer(host.port(), "GET /x?q=" + "Z".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
            String bigHeader =
                    rawAnswer(host.port(), "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + "Z".repeat(20_000) + "\r\n\r\n");

            assertThat(longLine)
                    .startsWith("HTTP/1.1 414 ")
                    .containsIgnoringCase("Connection: close")
                    .containsIgnoringCase("Content-Type: application/json")
                    .endsWith(
                            "{\"error\":\"INVALID_ARGUMENT\",\"message\":\"the request line (path and query) is too long\"}");
            // what Jetty calls "HTTP/0.9 not supported" (505), and what a line cut at the limit can look like
            String noVersion = rawAnswer(host.port(), "GET /x\r\nHost: a\r\n\r\n");
            assertThat(noVersion)
                    .startsWith("HTTP/1.1 400 ")
                    .containsIgnoringCase("Connection: close")
                    .contains("\"error\":\"INVALID_ARGUMENT\"", "malformed or too long");
            assertThat(bigHeader)
                    .startsWith("HTTP/1.1 431 ")
                    .containsIgnoringCase("Connection: close")
                    .endsWith("\"message\":\"the request headers are too large\"}");
        } finally {
            host.close();
        }
    }

    @Test
    void anErrorToARequestWithABodyEndsTheConnectionSoAnUnreadRestIsNeverTakenForTheNextRequest() throws Exception {
        HttpHost host = new HttpHost(
                        0,
                        routes -> routes.post("/refuse", ctx -> {
                            throw ServiceException.invalid("refused before the body was read");
                        }),
                        List.of(),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        cfg -> {})
                .start();
        try {
            // the body is refused unread; had the connection stayed open, its bytes would be parsed
            // as a second request
            String answer = rawAnswer(
                    host.port(),
                    "POST /refuse HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n"
                            + "{\"a\": \"GET /x HTTP/0.9 bytes left...\"}");
            assertThat(answer)
                    .startsWith("HTTP/1.1 400 ")
                    .containsIgnoringCase("Connection: close")
                    .endsWith("\"message\":\"refused before the body was read\"}");
            assertThat(answer.split("HTTP/1.1 ", -1)).as("one answer only").hasSize(2);
        } finally {
            host.close();
        }
    }

    /** Everything the server answers to one raw request, up to its closing the connection. */
    private static String rawAnswer(int port, String request) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
