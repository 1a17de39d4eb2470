package emend.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class NodePortTest {

    private static NodePort read(String port) {
        return NodePort.fromConfig(ConfigFactory.parseString("metrics-host = \"127.0.0.1\"\nmetrics-port = " + port
                + "\nmetrics-role-ports { learner = 9101, rollout = 9102, verifier = 9103 }"), "metrics");
    }

    @Test
    void byRoleTheFirstRoleInTheOrderLearnerRolloutVerifierPicksThePortAndMayFallBack() {
        NodePort endpoint = read("by-role");
        assertEquals(new NodePort.Binding(9101, true), endpoint.bindingFor(Set.of("verifier", "rollout", "learner")));
        assertEquals(new NodePort.Binding(9102, true), endpoint.bindingFor(Set.of("verifier", "rollout")));
        assertEquals(new NodePort.Binding(9103, true), endpoint.bindingFor(Set.of("verifier")));
    }

    @Test
    void aPortSetOnPurposeIsKeptAsIs() {
        assertEquals(new NodePort.Binding(9200, false), read("9200").bindingFor(Set.of("learner")));
        assertEquals(new NodePort.Binding(9200, false), read("\"9200\"").bindingFor(Set.of("learner")), "as --set passes it");
        assertEquals(new NodePort.Binding(0, false), read("0").bindingFor(Set.of("rollout")));
        assertTrue(read("-1").bindingFor(Set.of("rollout")).off());
    }

    @Test
    void badValuesNameTheKey() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> read("70000"));
        assertTrue(port.getMessage().contains("emend.runtime.metrics-port"), port.getMessage());
        IllegalArgumentException role = assertThrows(IllegalArgumentException.class,
                () -> new NodePort("metrics", "127.0.0.1", NodePort.BY_ROLE, Map.of("learner", 9101, "rollout", 0, "verifier", 9103)));
        assertTrue(role.getMessage().contains("metrics-role-ports.rollout"), role.getMessage());
    }
}
