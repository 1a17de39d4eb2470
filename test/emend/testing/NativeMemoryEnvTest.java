package emend.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeMemoryEnvTest {

    /** pom.xml repeats the file's values for the test JVMs (surefire sets them before the JVM starts). */
    @Test
    void testJvmRunsWithTheLaunchersMallocSettings() {
        Map<String, String> settings = NativeMemoryEnv.read();
        assertTrue(settings.containsKey("MALLOC_ARENA_MAX") && settings.containsKey("MALLOC_TRIM_THRESHOLD_"), settings.toString());
        settings.forEach((key, value) -> assertEquals(value, System.getenv(key),
                key + " differs between " + NativeMemoryEnv.FILE + " and pom.xml's surefire environmentVariables"));
    }
}
