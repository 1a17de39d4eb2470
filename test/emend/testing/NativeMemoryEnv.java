package emend.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The glibc malloc settings of cluster-config/native-memory.env (the file ./emend reads), for JVMs the tests start. */
public final class NativeMemoryEnv {
    /** The file, relative to the project root (Maven runs the tests there). */
    public static final Path FILE = Path.of("cluster-config", "native-memory.env");

    private NativeMemoryEnv() {
    }

    /** KEY=VALUE lines in file order; blank lines and # comments skipped. */
    public static Map<String, String> read() {
        try {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : Files.readAllLines(FILE)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                int equals = trimmed.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalStateException(FILE + ": expected KEY=VALUE, got '" + line + "'");
                }
                values.put(trimmed.substring(0, equals), trimmed.substring(equals + 1));
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
