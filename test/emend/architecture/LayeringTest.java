package emend.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core (src/) stays free of Pekko so it is usable and testable without actors. Typesafe Config (HOCON) is a
 * plain library the core may read its settings with.
 */
final class LayeringTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("emend");

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("/emend/actors/") && !location.contains("/emend/cli/"))
            .importPackages("emend");

    @Test
    void core_doesNotDependOnPekko() {
        noClasses().that().resideOutsideOfPackage("emend.actors..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..")
                .because("src/ is the pure core; only actors/ talks to Pekko")
                .check(PRODUCTION);
    }

    @Test
    void onlyTheCommandLineWiresTheActors() {
        noClasses().that().resideOutsideOfPackages("emend.actors..", "emend.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("emend.actors..")
                .because("the core reaches the actor runtime only through interfaces such as RolloutDriver; the CLI composes them")
                .check(PRODUCTION);
    }

    @Test
    void corePackages_doNotDependOnEachOtherInACycle() {
        slices().matching("emend.(*)..")
                .should().beFreeOfCycles()
                .because("each package of the core can be read, tested and changed with only what it depends on")
                .check(CORE);
    }

    @Test
    void actorPackages_doNotDependOnEachOtherInACycle() {
        slices().matching("emend.actors.(*)..")
                .should().beFreeOfCycles()
                .because("an actor package can be read and tested with the protocols it speaks, without the actors it talks to")
                .check(PRODUCTION);
    }

    /** Actors talk through emend.actors.protocol; only a node (and the benchmark) composes the actors themselves. */
    @Test
    void actors_dependOnProtocolsAndMetrics_notOnEachOthersClasses() {
        List<String> actors = List.of("learner", "rollout", "verifier", "control", "wire", "protocol", "metrics", "node", "bench");
        for (String own : List.of("learner", "rollout", "verifier", "control", "wire", "protocol", "metrics")) {
            List<String> shared = own.equals("protocol") || own.equals("metrics") ? List.of(own) : List.of(own, "protocol", "metrics");
            String[] others = actors.stream().filter(p -> !shared.contains(p)).map(p -> "emend.actors." + p + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("emend.actors." + own + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("the " + own + " package speaks protocols; a node composes the actors")
                    .check(PRODUCTION);
        }
    }
}
