package emend.architecture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every class reference.conf names (serializer bindings, executors, readiness checks) exists: Pekko resolves these
 * strings only when a node starts, so a moved or renamed class would otherwise fail the first cluster, not the build.
 */
final class ConfiguredClassesTest {

    private static final Pattern CLASS_NAME = Pattern.compile("\"(emend\\.[a-z][\\w.]*\\.[A-Z][\\w$]*)\"");

    @Test
    void everyEmendClassInReferenceConf_loads() throws IOException {
        String conf = Files.readString(Path.of("cluster-config", "reference.conf"));
        List<String> names = new ArrayList<>();
        Matcher m = CLASS_NAME.matcher(conf);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(names.size() >= 4, "expected the serializer, its binding, the executor and the readiness check: " + names);
        for (String name : names) {
            assertDoesNotThrow(() -> Class.forName(name, false, getClass().getClassLoader()), name + " is named in reference.conf");
        }
    }
}
