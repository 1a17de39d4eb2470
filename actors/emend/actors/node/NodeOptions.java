package emend.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;

/**
 * Where a node runs and what it carries: its roles, its address and the seed nodes it joins (none = it founds
 * the cluster by joining itself).
 *
 * @param workers rollout workers on this node (only with the rollout role)
 * @param runLayer what the run's command line sets (--config, --set), unresolved: its Pekko keys reach the actor
 *     system above emend-node.conf (see {@link NodeConfig#of})
 */
public record NodeOptions(Set<String> roles, String host, int port, List<String> seeds, int workers, Config runLayer) {

    public static final Set<String> ROLES = Set.of("learner", "rollout", "verifier");

    public NodeOptions {
        if (roles.isEmpty() || !ROLES.containsAll(roles)) {
            throw new IllegalArgumentException("--roles must list some of learner, rollout, verifier; got " + roles);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535 (0 = any free port), got " + port);
        }
        for (String seed : seeds) {
            if (!seed.matches("[^:/\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("seed '" + seed + "' must look like host:port, e.g. 127.0.0.1:25520");
            }
        }
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
    }

    /** A node whose actor system takes nothing from the command line (tests, benchmarks). */
    public NodeOptions(Set<String> roles, String host, int port, List<String> seeds, int workers) {
        this(roles, host, port, seeds, workers, ConfigFactory.empty());
    }

    /** Every role in one JVM on a free port: the embedded default. */
    public static NodeOptions singleJvm(int workers) {
        return singleJvm(workers, ConfigFactory.empty());
    }

    /** The embedded default with the run's command-line layer (its Pekko keys, e.g. pekko.loglevel). */
    public static NodeOptions singleJvm(int workers, Config runLayer) {
        return new NodeOptions(ROLES, "127.0.0.1", 0, List.of(), workers, runLayer);
    }
}
