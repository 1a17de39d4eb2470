package emend.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
    void theLearnerNeverDependsOnItsWorkers_andWorkersOnlyOnItsProtocol() {
        noClasses().that().resideInAPackage("emend.actors.learner..")
                .should().dependOnClassesThat().resideInAnyPackage("emend.actors.rollout..", "emend.actors.verifier..")
                .because("the learner owns the protocol its workers speak (LearnerProtocol)")
                .check(PRODUCTION);
        noClasses().that().resideOutsideOfPackages("emend.actors.learner..", "emend.actors.node..", "emend.actors.bench..", "emend.cli..")
                .should().dependOnClassesThat().haveNameMatching("emend\\.actors\\.learner\\.(Learner|VersionPublisher)(\\$.*)?")
                .because("only the node and the benchmark that compose a learner may touch more than its protocol")
                .check(PRODUCTION);
    }
}
