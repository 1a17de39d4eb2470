package emend.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DJL runs with the network cut: a child JVM starts the engine and generates inside a new network namespace
 * ({@code unshare -n}, where the platform allows it) with every Java connection attempt recorded.
 */
final class OfflineEngineTest {

    private static boolean canUnshareNetwork() {
        try {
            return new ProcessBuilder("unshare", "-n", "true").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void engine_startsAndGenerates_withoutAnyNetworkAttempt() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        boolean isolated = canUnshareNetwork();
        if (isolated) {
            command.addAll(List.of("unshare", "-n"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Xmx512m", OfflineProbe.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("DJL_OFFLINE");      // the code itself must switch DJL offline
        builder.environment().remove("OPT_OUT_TRACKING");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        System.out.println("[offline probe, network namespace " + (isolated ? "cut" : "not available") + "] "
                + output.lines().filter(l -> l.startsWith("generated")).findFirst().orElse(output));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("network attempts: 0"), output);
    }
}
