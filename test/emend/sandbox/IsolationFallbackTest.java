package emend.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The weaker isolations still score correctly and still refuse the tricks that need no isolation to be caught
 * (the ones the judge catches on its own). Only harmless programs run here: under none they touch the host.
 */
final class IsolationFallbackTest {

    private static PythonSandbox sandbox(Isolation isolation) {
        SandboxSettings defaults = SandboxSettings.fromConfig(Settings.load(null, Map.of()));
        return new PythonSandbox(new SandboxSettings(defaults.python(), isolation, defaults.uid(),
                new SandboxLimits(Duration.ofSeconds(2), 1, 256L << 20, 8, 64 * 1024, 16L << 20)), System.err);
    }

    @ParameterizedTest
    @EnumSource(value = Isolation.class, names = {"UNSHARE", "NONE"})
    void run_underWeakerIsolation_scoresRightAndWrongAndTricks(Isolation isolation) {
        PythonSandbox sandbox = sandbox(isolation);
        assertEquals(isolation, sandbox.isolation());
        String tests = "assert add(1, 2) == 3\n";
        assertEquals(Verdict.PASSED, sandbox.run("def add(a, b):\n    return a + b\n", "add", tests).verdict());
        assertEquals(Verdict.ASSERTION, sandbox.run("def add(a, b):\n    return a - b\n", "add", tests).verdict());
        assertEquals(0, sandbox.run("import os\nos._exit(0)\n", "add", tests).score());
        assertEquals(0, sandbox.run("import sys\nprint('PASSED')\nsys.exit(0)\n", "add", tests).score());
        SandboxResult loop = sandbox.run("def add(a, b):\n    while True:\n        pass\n", "add", tests);
        assertEquals(0, loop.score());
        assertTrue(loop.latency().compareTo(Duration.ofSeconds(3)) <= 0, loop.toString());
    }

    @Test
    void isolation_unknownName_failsNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Isolation.parse("docker"));
        assertTrue(e.getMessage().contains("auto, bwrap, unshare or none"), e.getMessage());
    }
}
