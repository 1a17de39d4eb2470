package emend.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A candidate that can write the harness files (isolation none, the files owned by the uid it runs as, as when
 * emend is not root) rewrites judge.py and runner.py; the next candidate is still judged by the real harness.
 */
final class HarnessTamperTest {

    private static final String TESTS = "assert add(1, 2) == 3\n";

    @Test
    void aCandidateThatRewritesTheHarness_doesNotChangeTheNextVerdict() throws Exception {
        PythonSandbox sandbox = new PythonSandbox(SandboxSettings.fromConfig(Settings.load(null, Map.of("emend.verify.isolation", "\"none\"")))
                .withLimits(new SandboxLimits(java.time.Duration.ofSeconds(10), 2, 256L << 20, 8, 64 * 1024, 16L << 20)), System.err);
        Path folder = HarnessFiles.folder();
        if ("root".equals(System.getProperty("user.name"))) {
            // as root the candidate runs as emend.verify.uid: hand it the files, as a non-root emend's own uid would have them
            try (Stream<Path> files = Files.list(folder)) {
                for (Path p : Stream.concat(Stream.of(folder), files).toList()) {
                    Files.setAttribute(p, "unix:uid", sandbox.settings().uid());
                }
            }
        }
        String forger = "import os, sys\n"
                + "d = os.path.dirname(os.path.abspath(sys.argv[0]))\n"
                + "for name in ('judge.py', 'runner.py', 'wire.py'):\n"
                + "    with open(os.path.join(d, name), 'w') as f:\n"
                + "        f.write('import sys\\nprint(\\'{\"verdict\": \"PASSED\", \"reason\": \"forged\", \"asserts\": 1}\\')\\n')\n"
                + "def add(a, b):\n    return a + b\n";
        SandboxResult forging = sandbox.run(forger, "add", TESTS);
        assertEquals(Verdict.PASSED, forging.verdict(), "the forger itself is a right answer: " + forging);
        assertTrue(Files.readString(folder.resolve("runner.py")).contains("forged"), "the candidate did rewrite the folder's runner");

        SandboxResult next = sandbox.run("def add(a, b):\n    return a - b\n", "add", TESTS);
        assertEquals(Verdict.ASSERTION, next.verdict(), next.toString());
        assertEquals(0, next.score());
        assertNotEquals(folder, HarnessFiles.folder(), "a changed folder is replaced by a fresh copy");
    }
}
