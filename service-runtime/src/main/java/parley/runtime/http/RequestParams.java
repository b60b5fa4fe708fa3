package parley.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import parley.runtime.error.ServiceException;

/** Reads query parameters and JSON bodies the same way on every route, with clear 400s. */
public final class RequestParams {
    private RequestParams() {}

    /** {@code page_size}, 0 when absent (the domain picks its default and checks the range). */
    public static int size(Context ctx) {
        return integer(ctx, "page_size");
    }

    public static int integer(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw ServiceException.invalid(name + " must be a whole number, got '" + raw + "'");
        }
    }

    /** A long query parameter, or null when absent. */
    public static Long optionalLong(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ServiceException.invalid(name + " must be a whole number, got '" + raw + "'");
        }
    }

    public static String text(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        return raw == null ? "" : raw.trim();
    }

    public static boolean flag(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ServiceException.invalid(name + " must be true or false, got '" + raw + "'");
        };
    }

    /**
     * The JSON body as {@code type}, read with the strict mapper; an empty body, {@code null}, or a
     * body that is not an object of that shape is a clear 400 (Javalin's own reader turns a {@code
     * null} body into a NullPointerException, a 500).
     */
    public static <T> T body(Context ctx, Class<T> type) {
        // JSON is UTF-8 (RFC 8259): a charset named in Content-Type is not followed (an unknown one
        // made the body unreadable, a 500)
        String body = new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8);
        if (body.isBlank()) {
            throw ServiceException.invalid("a JSON body is required");
        }
        T value;
        try {
            value = Json.mapper().readValue(body, type);
        } catch (JsonProcessingException e) {
            throw ServiceException.invalid(HttpErrors.describe(e));
        }
        if (value == null) {
            throw ServiceException.invalid("a JSON object body is required");
        }
        return value;
    }
}
