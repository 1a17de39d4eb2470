package emend.cli;

import com.typesafe.config.Config;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.actors.node.WorkerNode;
import emend.control.ControlSettings;
import emend.run.MainJob;
import emend.run.RunSettings;
import emend.run.RuntimeSettings;
import emend.run.Settings;
import emend.run.Tasks;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emend node}: one cluster node. A node with the learner role runs the main job (base model, schedule,
 * evaluation) with its rollouts spread over the cluster; other nodes serve rollouts and verification until
 * stopped. Every node must get the same run settings (--config, --set, --task, ...).
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start one cluster node with the given roles (learner, rollout, verifier).")
final class NodeCommand implements Runnable {

    @Mixin
    RunOptions options;

    @Option(names = "--roles", split = ",", required = true, description = "Roles of this node: learner, rollout, verifier.")
    Set<String> roles;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address other nodes reach this one at (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "25520", description = "Artery TCP port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--seeds", split = ",", description = "Seed nodes host:port to join; none = this node founds the cluster.")
    List<String> seeds = List.of();

    @Option(names = "--workers", description = "Rollout workers on this node (default emend.runtime.workers-per-node).")
    Integer workers;

    @Override
    public void run() {
        Config resolved = options.resolve(Map.of());
        RunSettings settings = RunSettings.fromConfig(resolved);
        RuntimeSettings runtime = RuntimeSettings.fromConfig(resolved);
        NodeOptions node = new NodeOptions(roles, host, port, seeds, workers == null ? runtime.workersPerNode() : workers);
        if (roles.contains("learner")) {
            new MainJob(settings, runtime, new ClusterDriver(node, settings.device(), ControlSettings.fromConfig(resolved)), Settings.emendJson(resolved), System.out).run();
        } else {
            WorkerNode.serve(node, Tasks.create(settings.task(), settings.sandbox()), runtime, settings.device());
        }
    }
}
