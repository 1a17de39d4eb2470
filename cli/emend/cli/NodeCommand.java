package emend.cli;

import com.typesafe.config.Config;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import emend.actors.node.WorkerNode;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.control.ControlSettings;
import emend.run.MainJob;
import emend.config.Tasks;
import emend.tls.NodeTransport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    @Option(names = "--host", description = "Address other nodes reach this one at (pekko.remote.artery.canonical.hostname, "
            + "default 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "Artery TCP port (pekko.remote.artery.canonical.port, default 25520; 0 = any free port).")
    Integer port;

    @Option(names = "--seeds", split = ",", description = "Seed nodes host:port to join; none = this node founds the cluster.")
    List<String> seeds = List.of();

    @Option(names = "--tls", paramLabel = "DIR", description = "Mutual TLS: the directory with the cluster's ca.crt and this node's "
            + "NAME.crt and NAME.key (emend cert init DIR; emend cert node DIR NAME) (emend.runtime.tls.dir).")
    Path tlsDir;

    @Option(names = "--tls-name", paramLabel = "NAME", description = "This node's certificate name in --tls DIR (emend.runtime.tls.name).")
    String tlsName;

    @Option(names = "--insecure", description = "Allow plain TCP on an address other than loopback (a warning is printed): "
            + "anyone who can reach the node's ports can join the cluster.")
    boolean insecure;

    @Option(names = "--workers", description = "Rollout workers on this node (default emend.runtime.workers-per-node).")
    Integer workers;

    @Override
    public void run() {
        Config resolved = options.resolve(flagKeys());
        RunSettings settings = RunSettings.fromConfig(resolved);
        RuntimeSettings runtime = RuntimeSettings.fromConfig(resolved);
        NodeOptions node = nodeOptions(runtime);
        ControlSettings control = ControlSettings.fromConfig(resolved);
        Map<String, String> servedOn = new LinkedHashMap<>();
        servedOn.put("--host", node.host());
        if (roles.contains("learner")) {
            servedOn.put("emend.control.host", control.host());
        }
        NodeTransport.check(runtime.tls(), insecure, System.out, servedOn);
        if (roles.contains("learner")) {
            new MainJob(settings, runtime, new ClusterDriver(node, settings.device(), control), Settings.emendJson(resolved), System.out).run();
        } else {
            WorkerNode.serve(node, Tasks.create(settings.task(), settings.sandbox()), runtime, settings.device());
        }
    }

    /** This node's roles and address: --host and --port when given, else -D, --config, --set or emend-node.conf. */
    NodeOptions nodeOptions(RuntimeSettings runtime) {
        Config runLayer = options.runLayer(flagKeys());
        NodeConfig.Address address = NodeConfig.address(runLayer);
        return new NodeOptions(roles, address.host(), address.port(), seeds, workers == null ? runtime.workersPerNode() : workers, runLayer);
    }

    /** --host, --port, --tls and --tls-name are shorthands for configuration keys, so they take their place in the run's layer. */
    private Map<String, String> flagKeys() {
        Map<String, String> flags = new HashMap<>();
        flags.put(NodeConfig.HOSTNAME, RunOptions.quoted(host));
        flags.put(NodeConfig.PORT, port == null ? null : port.toString());
        flags.put("emend.runtime.tls.dir", tlsDir == null ? null : RunOptions.quoted(tlsDir.toAbsolutePath().normalize().toString()));
        flags.put("emend.runtime.tls.name", RunOptions.quoted(tlsName));
        return flags;
    }
}
