package parley.runtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health check without curl in the image:
 * {@code java -cp app.jar parley.runtime.HealthProbe http://127.0.0.1:8080/ready} exits 0 on HTTP 200.
 */
public final class HealthProbe {
    private HealthProbe() {}

    public static void main(String[] args) {
        try {
            HttpResponse<Void> r = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(args[0]))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            System.exit(r.statusCode() == 200 ? 0 : 1);
        } catch (Exception e) {
            System.exit(1);
        }
    }
}
