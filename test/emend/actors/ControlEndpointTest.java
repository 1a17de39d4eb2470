package emend.actors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.control.ControlEndpoint;
import emend.actors.protocol.LearnerProtocol;
import emend.control.ControlSettings;
import emend.tls.TlsSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ControlEndpointTest {

    private final ActorTestKit kit = ActorTestKit.create();

    @TempDir
    Path runDir;

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void takenPort_failsTheStartNamingThePortAndTheKey_insteadOfMovingElsewhere() throws Exception {
        TestProbe<LearnerProtocol.Command> learner = kit.createTestProbe();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            ControlSettings settings = new ControlSettings("127.0.0.1", squatter.getLocalPort(), "t0ken", Duration.ofSeconds(5));
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ControlEndpoint.start(kit.system(), learner.ref(),
                    settings, TlsSettings.OFF, runDir, new PrintStream(out, true, StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains(":" + squatter.getLocalPort()) && e.getMessage().contains("emend.control.port"), e.getMessage());
        }
        // no endpoint elsewhere for clients to find
        assertFalse(Files.exists(runDir.resolve(ControlEndpoint.CONTACT_FILE)));
    }
}
