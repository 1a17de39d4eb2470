package emend.sandbox;

import emend.config.Settings;
import java.time.Duration;
import java.util.Map;

/** One sandbox for the tests, with short limits so that the slow cases (timeouts) stay cheap. */
public final class TestSandboxes {

    /** The wall-clock limit under test. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final class Holder {
        static final PythonSandbox SANDBOX = new PythonSandbox(SandboxSettings.fromConfig(Settings.load(null, Map.of()))
                .withLimits(new SandboxLimits(TIMEOUT, 1, 256L << 20, 8, 64 * 1024, 16L << 20)), System.err);
    }

    private TestSandboxes() {}

    public static PythonSandbox shortLimits() {
        return Holder.SANDBOX;
    }
}
