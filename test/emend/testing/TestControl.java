package emend.testing;

import emend.control.ControlSettings;
import java.time.Duration;

/** Control endpoints for tests: loopback, any free port, a fixed token. */
public final class TestControl {

    public static final String TOKEN = "test-token";

    private TestControl() {}

    public static ControlSettings anyPort() {
        return new ControlSettings("127.0.0.1", 0, TOKEN, Duration.ofSeconds(20));
    }
}
