package emend.sandbox;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The code sandbox's settings, read from the {@code emend.verify} HOCON block (cluster-config/reference.conf
 * documents each key).
 *
 * @param python the interpreter for the judge and the candidate
 * @param isolation the isolation asked for ({@link Isolation#AUTO} = the strongest that works)
 * @param uid the uid candidates run as when emend runs as root (root is exempt from the process limit)
 */
public record SandboxSettings(String python, Isolation isolation, int uid, SandboxLimits limits) {

    private static final String DEBIAN_PYTHON = "/usr/bin/python3";

    public SandboxSettings {
        if (python.isBlank()) {
            throw new IllegalArgumentException("emend.verify.python is empty");
        }
        if (uid <= 0) {
            throw new IllegalArgumentException("emend.verify.uid must be an unprivileged uid (> 0), got " + uid);
        }
    }

    /**
     * Reads {@code root}'s {@code emend.verify} block.
     *
     * @throws IllegalArgumentException naming the key and the fix
     */
    public static SandboxSettings fromConfig(Config root) {
        try {
            Config v = root.getConfig("emend.verify");
            String python = v.getString("python").isBlank() ? defaultPython() : v.getString("python");
            SandboxLimits limits = new SandboxLimits(v.getDuration("timeout"), v.getInt("cpu-seconds"), v.getBytes("address-space"),
                    v.getInt("max-processes"), Math.toIntExact(v.getBytes("output-limit")), v.getBytes("scratch-size"));
            return new SandboxSettings(python, Isolation.parse(v.getString("isolation")), v.getInt("uid"), limits);
        } catch (ConfigException | ArithmeticException e) {
            throw new IllegalArgumentException("configuration error in emend.verify: " + e.getMessage()
                    + " (see cluster-config/reference.conf for every key and its meaning)", e);
        }
    }

    /** The same settings with other limits (tests and benchmarks use short ones). */
    public SandboxSettings withLimits(SandboxLimits other) {
        return new SandboxSettings(python, isolation, uid, other);
    }

    /** Debian's python3 when it is there (a pyenv shim on the PATH may not see system packages), else the PATH's. */
    private static String defaultPython() {
        return Files.isExecutable(Path.of(DEBIAN_PYTHON)) ? DEBIAN_PYTHON : "python3";
    }
}
