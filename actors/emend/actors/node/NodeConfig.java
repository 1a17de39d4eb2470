package emend.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/** The Pekko configuration of a node: emend-node.conf with the node's roles, address and seed nodes. */
public final class NodeConfig {

    /** Every Emend node's actor system has this name; seed addresses are pekko://emend@host:port. */
    public static final String SYSTEM_NAME = "emend";

    private NodeConfig() {}

    public static Config of(NodeOptions options) {
        List<String> seeds = options.seeds().stream().map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList();
        return ConfigFactory.empty()
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(options.roles().stream().sorted().toList()))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(options.host()))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(options.port()))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
                .withFallback(ConfigFactory.parseResources(options.seeds().isEmpty() && options.port() == 0 ? "single-jvm.conf" : "emend-node.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }
}
