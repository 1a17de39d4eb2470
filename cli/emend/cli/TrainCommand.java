package emend.cli;

import com.typesafe.config.Config;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.control.ControlSettings;
import emend.run.MainJob;
import emend.run.RlLoop;
import emend.run.RolloutDriver;
import emend.run.RunRefusedException;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code emend train}: the main job (warm-up or cached base model, Stage I, Stage II, evaluation). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Run SCoRe end to end: base model (warm-up, cached), the stage schedule, evaluation on held-out problems. "
                + "Rollouts run through the actors of a one-node cluster in this JVM.")
final class TrainCommand implements Runnable {

    @Mixin
    RunOptions options;

    @Option(names = "--driver", description = "actors (default: learner, rollout workers and verifiers as actors in a "
            + "one-node cluster) or sync (the single-threaded reference driver).")
    String driver;

    @Override
    public void run() {
        Map<String, String> extra = new HashMap<>();
        extra.put("emend.runtime.driver", RunOptions.quoted(driver));
        Config resolved = options.resolve(extra);
        RunSettings settings = RunSettings.fromConfig(resolved);
        RuntimeSettings runtime = RuntimeSettings.fromConfig(resolved);
        RolloutDriver rollouts = runtime.driver().equals("sync")
                ? new RlLoop()
                : new ClusterDriver(NodeOptions.singleJvm(runtime.workersPerNode(), options.runLayer(extra)), settings.device(), ControlSettings.fromConfig(resolved));
        try {
            new MainJob(settings, runtime, rollouts, Settings.emendJson(resolved), System.out).run();
        } catch (RunRefusedException.Finished done) {
            if (!options.resumeOrStart) {
                throw done;
            }
            // restarted after the end: nothing is left to do, which is success for whoever restarts it
            System.out.println("emend: " + done.getMessage());
        }
    }
}
