package parley.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code PARLEY_INSTANCES}: where the extra instances listen and how their peers find them. */
class TopologyTest {
    private final Topology.Ports ports = Topology.Ports.standard();

    @Test
    void withTwoInstancesEveryPeerAddressNamesBothAndTheSecondListensOneHundredUp() {
        Map<String, Map<String, String>> envs = Topology.environments(db -> "redis://r:6379/" + db, ports, "s", 2);

        assertThat(envs.get("frontend-svc"))
                .containsEntry("MESSAGE_SVC_ADDR", "127.0.0.1:9798,127.0.0.1:9898")
                .containsEntry("NOTIFICATION_SVC_ADDR", "127.0.0.1:9799,127.0.0.1:9899")
                .containsEntry("USER_SVC_ADDR", "127.0.0.1:9797");
        assertThat(envs.get("notification-svc")).containsEntry("FRONTEND_SVC_ADDR", "127.0.0.1:3030,127.0.0.1:3130");

        Map<String, String> second = Topology.instance(envs.get("notification-svc"), "notification-svc", 2);
        assertThat(second)
                .containsEntry("HTTP_PORT", "8182")
                .containsEntry("GRPC_PORT", "9899")
                .containsEntry("CONSUMER_NAME", "notification-svc-local-2")
                .containsEntry("MESSAGES_STREAM_URL", "redis://r:6379/1");
        assertThat(Topology.instance(envs.get("message-svc"), "message-svc", 2))
                .containsEntry("GRPC_PORT", "9898")
                .containsEntry("CONSUMER_NAME", "message-svc-local-2");
        assertThat(Topology.instance(envs.get("frontend-svc"), "frontend-svc", 2))
                .containsEntry("HTTP_PORT", "8183")
                .doesNotContainKey("CONSUMER_NAME");
    }

    @Test
    void oneInstanceIsTheSpecsSingleAddresses() {
        Map<String, Map<String, String>> envs = Topology.environments(db -> "redis://r:6379/" + db, ports, "s");
        assertThat(envs.get("frontend-svc")).containsEntry("MESSAGE_SVC_ADDR", "127.0.0.1:9798");
        assertThat(envs.get("notification-svc")).containsEntry("FRONTEND_SVC_ADDR", "127.0.0.1:3030");
    }
}
