package parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisClusterTest {

    @Test
    void threeNodesBecomeOneClusterCoveringEverySlotAndRoutingKeysToEachMaster() {
        RedisCluster cluster = RedisCluster.start(3, false);
        try {
            assertThat(cluster.seeds().split(",")).hasSize(3).allMatch(s -> s.startsWith("redis://127.0.0.1:"));
            for (RedisServerProcess node : cluster.nodes()) {
                String info = cluster.cli(List.of("-p", Integer.toString(node.port()), "cluster", "info"))
                        .output();
                assertThat(info).contains("cluster_state:ok", "cluster_known_nodes:3", "cluster_size:3");
            }
            // redis-cli -c follows MOVED: keys of different slots land on different masters
            Set<Integer> owners = new HashSet<>();
            for (String key : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
                assertThat(cluster.cli(List.of("-c", "set", key, "1")).output()).contains("OK");
                for (RedisServerProcess node : cluster.nodes()) {
                    String here = cluster.cli(List.of("-p", Integer.toString(node.port()), "exists", key))
                            .output()
                            .strip();
                    if (here.equals("1")) {
                        owners.add(node.port());
                    }
                }
            }
            assertThat(owners).hasSize(3);
        } finally {
            cluster.stop();
        }
    }
}
