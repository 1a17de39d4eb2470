package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * -D over the run's --config/--set over emend-node.conf over application.conf and reference.conf; and what a node
 * started from the command line refuses.
 */
final class NodeConfigLayeringTest {

    private static final String STABLE_AFTER = "pekko.cluster.split-brain-resolver.stable-after";

    @TempDir
    Path dir;

    private static NodeOptions node(String... args) {
        NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs(args);
        return command.nodeOptions(RuntimeSettings.fromConfig(Settings.load(null, Map.of())));
    }

    @Test
    void setPekkoPort_reachesTheActorSystem() throws Exception {
        int free = freePort();
        NodeOptions options = node("--roles", "rollout", "--set", "pekko.remote.artery.canonical.port=" + free, "--set", "pekko.loglevel=ERROR");
        assertEquals(free, options.port());
        Config config = NodeConfig.of(options);
        assertEquals("ERROR", config.getString("pekko.loglevel"));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
        try {
            assertEquals(free, (int) system.address().getPort().get());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void portFlag_beatsSet_andWithoutEitherEmendNodeConfWins() {
        assertEquals(25600, node("--roles", "rollout", "--port", "25600", "--set", "pekko.remote.artery.canonical.port=25601").port());
        NodeOptions defaults = node("--roles", "rollout");
        assertEquals(25520, defaults.port());
        assertEquals("127.0.0.1", defaults.host());
        // emend-node.conf above Pekko's reference.conf (which has no downing provider)
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                NodeConfig.of(defaults).getString("pekko.cluster.downing-provider-class"));
    }

    @Test
    void configFile_beatsEmendNodeConf_andSetBeatsTheFile() throws IOException {
        Path file = dir.resolve("run.conf");
        Files.writeString(file, STABLE_AFTER + " = 3s\npekko.loglevel = DEBUG\n");
        Config config = NodeConfig.of(node("--roles", "rollout", "--config", file.toString(), "--set", "pekko.loglevel=ERROR"));
        assertEquals(3, config.getDuration(STABLE_AFTER).toSeconds());
        assertEquals("ERROR", config.getString("pekko.loglevel"));
        assertEquals(7, NodeConfig.of(node("--roles", "rollout")).getDuration(STABLE_AFTER).toSeconds());
    }

    @Test
    void systemProperty_beatsSetAndFlags() {
        System.setProperty(STABLE_AFTER, "11s");
        System.setProperty(NodeConfig.PORT, "25602");
        ConfigFactory.invalidateCaches();
        try {
            NodeOptions options = node("--roles", "rollout", "--set", STABLE_AFTER + "=3s", "--set", NodeConfig.PORT + "=25601");
            assertEquals(25602, options.port());
            assertEquals(11, NodeConfig.of(options).getDuration(STABLE_AFTER).toSeconds());
        } finally {
            System.clearProperty(STABLE_AFTER);
            System.clearProperty(NodeConfig.PORT);
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void nodeOnANetworkAddressWithoutTls_refusesToStartNamingTheFix() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new NodeCommand()).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setErr(new PrintWriter(err));
        // preemptive: a node that did start would serve until stopped
        int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> cli.execute("--roles", "rollout", "--host", "10.1.2.3", "--port", "0"));
        assertEquals(2, code);
        assertTrue(err.toString().contains("--host 10.1.2.3 is not a loopback address") && err.toString().contains("--tls DIR --tls-name NAME")
                && err.toString().contains("--insecure"), err.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
