package emend.cli;

import com.typesafe.config.Config;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.control.ControlSettings;
import emend.experiment.AblationExperiment;
import emend.run.RlLoop;
import emend.run.RolloutDriver;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emend experiment ablations}: SCoRe beside its baselines and ablations, several seeds, one comparison. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "ablations: run SCoRe, the prompted base, STaR, STaR D+, Pair-SFT, single-turn RL, SCoRe w/o Stage I, w/o reward "
                + "shaping and STaR in place of Stage II on the same budget for --seeds seeds, then write ablations.md, ablations.json "
                + "and PNG figures to the experiment directory.")
final class ExperimentCommand implements Runnable {

    @Parameters(paramLabel = "NAME", description = "ablations (the only experiment so far).")
    String name;

    @Mixin
    RunOptions options;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds 1..N (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--methods", split = ",", description = "Only these rows (default: all): prompted, star, star-dplus, pair-sft, "
            + "single-turn, no-stage1, no-shaping, star-stage2, score.")
    List<String> methods = List.of();

    @Option(names = "--driver", defaultValue = "sync", description = "sync (default: the reference driver, equal to the actors at eta=0) "
            + "or actors (a one-node cluster per run).")
    String driver;

    @Override
    public void run() {
        if (!name.equals("ablations")) {
            throw new IllegalArgumentException("unknown experiment '" + name + "': the one there is is ablations");
        }
        Map<String, String> extra = Map.of("emend.runtime.driver", RunOptions.quoted(driver));
        Config resolved = options.resolve(extra);
        RunSettings settings = RunSettings.fromConfig(resolved);
        RuntimeSettings runtime = RuntimeSettings.fromConfig(resolved);
        Path dir = settings.runDir().isBlank()
                ? Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-ablations")
                : Path.of(settings.runDir());
        Supplier<RolloutDriver> drivers = runtime.driver().equals("sync")
                ? RlLoop::new
                : () -> new ClusterDriver(NodeOptions.singleJvm(runtime.workersPerNode(), options.runLayer(extra)), settings.device(), ControlSettings.fromConfig(resolved));
        System.out.println("experiment directory: " + dir);
        System.out.println("ablations: " + AblationExperiment.run(resolved, dir, seeds, methods, drivers, System.out));
    }
}
