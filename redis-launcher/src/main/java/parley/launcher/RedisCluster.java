package parley.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A local Redis Cluster of masters without replicas, the way an operator makes one: that many
 * {@code redis-server --cluster-enabled yes} processes on free ports, joined by {@code redis-cli
 * --cluster create … --cluster-replicas 0 --cluster-yes}. It counts as started once every node
 * reports {@code cluster_state:ok} and {@code redis-cli --cluster check} finds all 16384 slots
 * covered. Stopped (every node, their directories removed) when the JVM exits.
 */
public final class RedisCluster {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final List<RedisServerProcess> nodes;

    private RedisCluster(List<RedisServerProcess> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts {@code masters} nodes (at least 3, as Redis requires) and joins them. */
    public static RedisCluster start(int masters, boolean persistent) {
        if (masters < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, got " + masters);
        }
        List<RedisServerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                nodes.add(RedisServerProcess.start(new RedisServerProcess.Options(0, null, persistent, true)));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Result created = cluster.cli(create);
            if (created.exit() != 0) {
                throw new RedisServerProcess.UnavailableException(
                        "redis-cli --cluster create failed: " + created.output());
            }
            cluster.awaitOk();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServerProcess::stop);
            throw e;
        }
    }

    /**
     * The seed list a service in cluster mode reads ({@code REDIS_URL} with {@code
     * REDIS_CLUSTER=true}): {@code redis://127.0.0.1:p1,redis://127.0.0.1:p2,…}.
     */
    public String seeds() {
        return nodes.stream().map(n -> "redis://127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    public List<RedisServerProcess> nodes() {
        return nodes;
    }

    /** Runs {@code redis-cli} with {@code args} (give {@code -p} for a node; else it asks the first). */
    public Result cli(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(RedisServerProcess.findBinary("redis-cli"));
        if (!args.contains("-p")) {
            command.addAll(List.of("-p", Integer.toString(nodes.get(0).port())));
        }
        command.addAll(args);
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new RedisServerProcess.UnavailableException("redis-cli did not finish: " + command);
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RedisServerProcess.UnavailableException("could not run redis-cli: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisServerProcess.UnavailableException("interrupted while running redis-cli");
        }
    }

    /** Waits until every node reports {@code cluster_state:ok} and all slots are covered. */
    public void awaitOk() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            boolean ok = true;
            for (RedisServerProcess node : nodes) {
                Result info = cli(List.of("-p", Integer.toString(node.port()), "cluster", "info"));
                if (!info.output().contains("cluster_state:ok")) {
                    ok = false;
                    last = "node " + node.port() + ": "
                            + info.output().lines().findFirst().orElse("");
                    break;
                }
            }
            if (ok) {
                Result check = cli(List.of(
                        "--cluster", "check", "127.0.0.1:" + nodes.get(0).port()));
                if (check.exit() == 0 && check.output().contains("All 16384 slots covered")) {
                    return;
                }
                last = check.output();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new RedisServerProcess.UnavailableException("the Redis Cluster did not become ok: " + last);
    }

    /** Stops every node. */
    public void stop() {
        nodes.forEach(RedisServerProcess::stop);
    }

    /** Leaves stopping every node to the caller ({@link RedisServerProcess#stoppedByOwner}). */
    public RedisCluster stoppedByOwner() {
        nodes.forEach(RedisServerProcess::stoppedByOwner);
        return this;
    }

    /** What {@code redis-cli} printed (stdout and stderr) and its exit code. */
    public record Result(int exit, String output) {}
}
