package emend.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class MetricsRegistryTest {

    @Test
    void render_writesThePrometheusTextFormat() {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Counter tokens = registry.counter("emend_tokens_total", "Tokens generated.", "worker");
        MetricsRegistry.Gauge version = registry.gauge("emend_version", "Policy version.");
        MetricsRegistry.Summary latency = registry.summary("emend_latency_seconds", "Seconds per call.", "worker");
        registry.gauge("emend_unused", "Never set: not rendered.");
        tokens.inc(120, "n1/rollout-0");
        tokens.inc(30, "n1/rollout-0");
        tokens.inc(5, "n1/\"quoted\"");
        version.set(7);
        latency.observe(0.25, "a");
        latency.observe(0.5, "a");
        assertEquals("""
                # HELP emend_latency_seconds Seconds per call.
                # TYPE emend_latency_seconds summary
                emend_latency_seconds_sum{worker="a"} 0.75
                emend_latency_seconds_count{worker="a"} 2
                # HELP emend_tokens_total Tokens generated.
                # TYPE emend_tokens_total counter
                emend_tokens_total{worker="n1/\\"quoted\\""} 5
                emend_tokens_total{worker="n1/rollout-0"} 150
                # HELP emend_version Policy version.
                # TYPE emend_version gauge
                emend_version 7
                """, registry.render());
        version.remove();
        assertEquals(false, registry.render().contains("emend_version 7"));
    }

    @Test
    void misuse_isRefusedByName() {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Counter c = registry.counter("emend_c_total", "c", "worker");
        assertThrows(IllegalArgumentException.class, () -> c.inc(-1, "w"));
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class, () -> c.inc(1));
        assertEquals(true, labels.getMessage().contains("emend_c_total"), labels.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("emend_c_total", "again"));
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("emend-bad", "dash"));
    }
}
