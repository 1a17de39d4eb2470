package emend.actors.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import emend.config.NodePort;
import emend.tls.ClusterCa;
import emend.tls.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Pekko configuration of a node, in layers, the first one winning: {@code -D} system properties; the node's
 * roles, address, seed nodes and TLS identity; the run's --config and --set ({@link NodeOptions#runLayer});
 * emend-node.conf (or single-jvm.conf); application.conf; reference.conf.
 */
public final class NodeConfig {

    /** Every Emend node's actor system has this name; seed addresses are pekko://emend@host:port. */
    public static final String SYSTEM_NAME = "emend";

    public static final String HOSTNAME = "pekko.remote.artery.canonical.hostname";
    public static final String PORT = "pekko.remote.artery.canonical.port";

    private NodeConfig() {}

    /** A node on plain TCP. */
    public static Config of(NodeOptions options) {
        return of(options, TlsSettings.OFF);
    }

    /** @param tls when enabled, Artery runs over tls-tcp with this identity and admits only peers the same CA signed */
    public static Config of(NodeOptions options, TlsSettings tls) {
        List<String> seeds = options.seeds().stream().map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList();
        Config node = ConfigFactory.empty()
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(options.roles().stream().sorted().toList()))
                .withValue(HOSTNAME, ConfigValueFactory.fromAnyRef(options.host()))
                .withValue(PORT, ConfigValueFactory.fromAnyRef(options.port()))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
        String profile = options.seeds().isEmpty() && options.port() == 0 ? "single-jvm.conf" : "emend-node.conf";
        Config layered = ConfigFactory.defaultOverrides()
                .withFallback(node)
                .withFallback(artery(tls))
                .withFallback(options.runLayer())
                .withFallback(ConfigFactory.parseResources(profile))
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return management(layered, options.roles()).withFallback(layered);
    }

    /**
     * Pekko Management's address, from emend.runtime.management-*: fixed before the node starts (Pekko reads it once).
     * A role's default port that another process holds is replaced by a free one here, with a warning.
     */
    private static Config management(Config layered, Set<String> roles) {
        NodePort management = NodePort.fromConfig(layered.getConfig("emend.runtime"), "management");
        NodePort.Binding binding = management.bindingFor(roles);
        int port = binding.port();
        if (binding.off()) {
            port = 0;
        } else if (binding.fallBackToFree() && !free(management.host(), port)) {
            System.err.println("management: port " + port + " (this node's role default) is taken; serving Pekko Management on a free port "
                    + "instead. Give each node on this machine its own port (emend.runtime.management-port) so probes can find it");
            port = 0;
        }
        return ConfigFactory.parseMap(Map.of("pekko.management.http.hostname", management.host(), "pekko.management.http.port", port));
    }

    private static boolean free(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Mutual TLS with PEM files: the provider requires the peer's certificate (client and server side), checks it
     * against the CA, and then that it shares a subject name with ours ({@link ClusterCa#CLUSTER_NAME}).
     */
    private static Config artery(TlsSettings tls) {
        if (!tls.enabled()) {
            return ConfigFactory.empty();
        }
        String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
        return ConfigFactory.parseMap(Map.of(
                "pekko.remote.artery.transport", "tls-tcp",
                "pekko.remote.artery.ssl.ssl-engine-provider", "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
                engine + "key-file", tls.keyFile().toString(),
                engine + "cert-file", tls.certFile().toString(),
                engine + "ca-cert-file", tls.caFile().toString()));
    }

    /**
     * The address a cluster node started from the command line listens at: its --host and --port when given (the
     * caller puts them in the run layer), else what -D, --config, --set or emend-node.conf say.
     */
    public static Address address(Config runLayer) {
        Config layered = ConfigFactory.defaultOverrides().withFallback(runLayer)
                .withFallback(ConfigFactory.parseResources("emend-node.conf")).resolve();
        return new Address(layered.getString(HOSTNAME), layered.getInt(PORT));
    }

    /** Where a node's Artery listens. */
    public record Address(String host, int port) {}
}
