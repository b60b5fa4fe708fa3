package parley.runtime.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import parley.runtime.tracing.Tracing;

/**
 * A Lua script run atomically in one round trip: {@code EVALSHA}, falling back to {@code EVAL}
 * when the server does not know it yet (after a restart or {@code SCRIPT FLUSH}).
 */
public final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    public LuaScript(String source) {
        this("script", source);
    }

    /** @param name what traces call it, e.g. {@code send.lua} */
    public LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** Loads {@code name} from the classpath next to {@code owner}. */
    public static LuaScript fromResource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + name);
            }
            return new LuaScript(
                    name.substring(name.lastIndexOf('/') + 1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T> T run(
            RedisClusterCommands<String, String> redis, ScriptOutputType type, List<String> keys, List<String> args) {
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        try {
            return redis.evalsha(sha, type, k, a);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, type, k, a);
        }
    }

    /** The same, without waiting: commands issued back to back this way travel pipelined. */
    public <T> CompletableFuture<T> runAsync(
            RedisClusterAsyncCommands<String, String> redis,
            ScriptOutputType type,
            List<String> keys,
            List<String> args) {
        // a CLIENT span per run, under whatever is current (a request, an entry)
        return runAsync(redis, type, keys, args, Tracing.enabled() ? List.of(Context.current()) : List.of());
    }

    /**
     * The same for one run that does the work of several traced operations (a consumer batch's
     * entries): a CLIENT span under each of {@code traces}, all ending with the run.
     */
    public <T> CompletableFuture<T> runAsync(
            RedisClusterAsyncCommands<String, String> redis,
            ScriptOutputType type,
            List<String> keys,
            List<String> args,
            Collection<Context> traces) {
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        CompletableFuture<T> run = evalAsync(redis, type, k, a);
        if (Tracing.enabled()) {
            for (Context parent : traces) {
                Span span = Tracing.start(name, SpanKind.CLIENT, parent);
                span.setAttribute("db.system.name", "redis");
                Tracing.endWhenDone(span, run);
            }
        }
        return run;
    }

    private <T> CompletableFuture<T> evalAsync(
            RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type, String[] k, String[] a) {
        return redis.<T>evalsha(sha, type, k, a).toCompletableFuture().exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof RedisNoScriptException)) {
                return CompletableFuture.failedFuture(cause);
            }
            CompletableFuture<T> retry = redis.<T>eval(source, type, k, a).toCompletableFuture();
            // on a connection that flushes per batch, nobody else would send this one
            flush(redis);
            return retry;
        });
    }

    private static void flush(RedisClusterAsyncCommands<String, String> redis) {
        if (redis instanceof RedisAsyncCommands<String, String> standalone) {
            standalone.getStatefulConnection().flushCommands();
        } else if (redis instanceof RedisAdvancedClusterAsyncCommands<String, String> cluster) {
            cluster.getStatefulConnection().flushCommands();
        }
    }

    /** Flattens stream fields to the ARGV tail the scripts expect: count, then name/value pairs. */
    public static void appendFields(List<String> args, Map<String, String> fields) {
        args.add(Integer.toString(fields.size() * 2));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
