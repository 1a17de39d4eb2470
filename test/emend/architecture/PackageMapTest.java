package emend.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package map at the top of docs/architecture.md names every package of the core and of the actors, and no other. */
final class PackageMapTest {

    private static final Pattern CORE_ENTRY = Pattern.compile("^  ([a-z]+) {2,}\\S");

    @Test
    void theMapNamesEveryCorePackage_andOnlyThose() throws IOException {
        List<String> layout = layoutBlock();
        Set<String> mapped = new TreeSet<>();
        for (String line : layout) {
            Matcher entry = CORE_ENTRY.matcher(line);
            if (entry.find()) {
                mapped.add(entry.group(1));
            }
        }
        assertEquals(packages(Path.of("src/emend")), mapped, "docs/architecture.md's layout against src/emend/");
    }

    @Test
    void theActorsLineNamesEveryActorPackage() throws IOException {
        String actors = layoutBlock().stream().dropWhile(line -> !line.startsWith("actors/")).takeWhile(line -> !line.startsWith("cli/"))
                .collect(Collectors.joining(" "));
        for (String name : packages(Path.of("actors/emend/actors"))) {
            assertTrue(Pattern.compile("\\b" + name + " \\(").matcher(actors).find() || actors.contains(" " + name + ","),
                    "the actors entry of docs/architecture.md's layout does not name actors/emend/actors/" + name + ": " + actors);
        }
    }

    private static List<String> layoutBlock() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/architecture.md"));
        int start = lines.indexOf("```") + 1;
        List<String> block = new ArrayList<>();
        for (int i = start; i < lines.size() && !lines.get(i).equals("```"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }

    /** The folders under {@code root} that hold a package (a package-info.java). */
    private static Set<String> packages(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve("package-info.java")))
                    .map(dir -> dir.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
