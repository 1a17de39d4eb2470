package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.control.ControlServer;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.proto.ControlReply;
import emend.proto.RunStatus;
import emend.testing.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code emend ctl --tls DIR --tls-name NAME} against the HTTPS control endpoint of a TLS cluster. */
final class CtlTlsTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int ctl(String... args) {
        CommandLine cli = new CommandLine(new CtlCommand(Map.of())).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void tls_presentsTheClientCertificate_andIsNeededAgainstATlsEndpoint() throws Exception {
        TestCerts certs = TestCerts.make(dir);
        Path run = Files.createDirectory(dir.resolve("run"));
        ControlReply ok = ControlReply.newBuilder().setCode(ControlReply.Code.OK).setStatus(RunStatus.newBuilder().setState("RUNNING")).build();
        try (ControlServer server = new ControlServer(new ControlSettings("127.0.0.1", 0, "", Duration.ofSeconds(5)), ControlToken.of("t"),
                request -> CompletableFuture.completedFuture(ok), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                certs.node("seed").serverSockets(), ControlServer.Limits.DEFAULT).start()) {
            Files.writeString(run.resolve("control.endpoint"), "127.0.0.1:" + server.port() + "\n");
            Files.writeString(run.resolve("control.token"), "t\n");
            String tls = certs.cluster().toString();
            assertEquals(0, ctl("--run-dir", run.toString(), "--tls", tls, "--tls-name", "ops", "status"), err.toString());
            assertEquals(5, ctl("--run-dir", run.toString(), "status"), "plain HTTP against an HTTPS endpoint");
            assertEquals(2, ctl("--run-dir", run.toString(), "--tls", tls, "status"));
            assertTrue(err.toString().contains("--tls DIR and --tls-name NAME go together"), err.toString());
            assertEquals(2, ctl("--run-dir", run.toString(), "--tls", tls, "--tls-name", "nobody", "status"));
            assertTrue(err.toString().contains("nobody.key") && err.toString().contains("emend cert node"), err.toString());
        }
    }
}
