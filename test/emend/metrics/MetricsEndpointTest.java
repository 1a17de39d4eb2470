package emend.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class MetricsEndpointTest {

    private static MetricsEndpoint read(String port) {
        return MetricsEndpoint.fromConfig(ConfigFactory.parseString("metrics-host = \"127.0.0.1\"\nmetrics-port = " + port
                + "\nmetrics-role-ports { learner = 9101, rollout = 9102, verifier = 9103 }"));
    }

    @Test
    void byRoleTheFirstRoleInTheOrderLearnerRolloutVerifierPicksThePortAndMayFallBack() {
        MetricsEndpoint endpoint = read("by-role");
        assertEquals(new MetricsEndpoint.Binding(9101, true), endpoint.bindingFor(Set.of("verifier", "rollout", "learner")));
        assertEquals(new MetricsEndpoint.Binding(9102, true), endpoint.bindingFor(Set.of("verifier", "rollout")));
        assertEquals(new MetricsEndpoint.Binding(9103, true), endpoint.bindingFor(Set.of("verifier")));
    }

    @Test
    void aPortSetOnPurposeIsKeptAsIs() {
        assertEquals(new MetricsEndpoint.Binding(9200, false), read("9200").bindingFor(Set.of("learner")));
        assertEquals(new MetricsEndpoint.Binding(9200, false), read("\"9200\"").bindingFor(Set.of("learner")), "as --set passes it");
        assertEquals(new MetricsEndpoint.Binding(0, false), read("0").bindingFor(Set.of("rollout")));
        assertTrue(read("-1").bindingFor(Set.of("rollout")).off());
    }

    @Test
    void badValuesNameTheKey() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> read("70000"));
        assertTrue(port.getMessage().contains("emend.runtime.metrics-port"), port.getMessage());
        IllegalArgumentException role = assertThrows(IllegalArgumentException.class,
                () -> new MetricsEndpoint("127.0.0.1", MetricsEndpoint.BY_ROLE, Map.of("learner", 9101, "rollout", 0, "verifier", 9103)));
        assertTrue(role.getMessage().contains("metrics-role-ports.rollout"), role.getMessage());
    }
}
