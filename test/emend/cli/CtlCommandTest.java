package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.control.ControlServer;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class CtlCommandTest {

    private static final String SECRET = "cli-test-token";

    @TempDir
    Path dir;

    private final List<ControlRequest> received = new ArrayList<>();
    private ControlReply.Code answer = ControlReply.Code.OK;
    private ControlServer server;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() {
        server = new ControlServer(new ControlSettings("127.0.0.1", 0, "", Duration.ofSeconds(5)), ControlToken.of(SECRET), request -> {
            received.add(request);
            return CompletableFuture.completedFuture(ControlReply.newBuilder().setCode(answer).setMessage("answer " + answer)
                    .setStatus(RunStatus.newBuilder().setState("PAUSED").setStage("stage1")).build());
        }, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int ctl(Map<String, String> environment, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = new CommandLine(new CtlCommand(environment)).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private int ctl(String... args) {
        return ctl(Map.of(), args);
    }

    private String contact() {
        return "127.0.0.1:" + server.port();
    }

    @Test
    void ok_exitsZeroAndPrintsTheReplyForPeople() {
        assertEquals(0, ctl("--contact", contact(), "--token", SECRET, "pause"));
        assertEquals(ControlRequest.CommandCase.PAUSE, received.get(0).getCommandCase());
        assertTrue(out.toString().startsWith("answer OK\nstate PAUSED, stage stage1,"), out.toString());
    }

    @Test
    void replyCodes_becomeTheDocumentedExitStatuses() {
        answer = ControlReply.Code.REFUSED;
        assertEquals(3, ctl("--contact", contact(), "--token", SECRET, "set", "alpha=lots"));
        assertTrue(err.toString().contains("refused: answer REFUSED"), err.toString());
        assertEquals("alpha", received.get(0).getSet().getKey());
        assertEquals("lots", received.get(0).getSet().getValue());
        answer = ControlReply.Code.UNAVAILABLE;
        assertEquals(5, ctl("--contact", contact(), "--token", SECRET, "checkpoint"));
        answer = ControlReply.Code.BAD_REQUEST;
        assertEquals(6, ctl("--contact", contact(), "--token", SECRET, "drain", "127.0.0.1:25521"));
        assertEquals("127.0.0.1:25521", received.get(2).getDrain().getNode());
    }

    @Test
    void wrongToken_exitsFour() {
        assertEquals(4, ctl("--contact", contact(), "--token", "guess", "stop"));
        assertTrue(err.toString().contains("control.token"), err.toString());
        assertTrue(received.isEmpty());
    }

    @Test
    void token_comesFromTheFileThenTheEnvironment() throws IOException {
        Path file = Files.writeString(dir.resolve("control.token"), SECRET + "\n");
        assertEquals(0, ctl(Map.of(CtlCommand.TOKEN_VARIABLE, "wrong"), "--contact", contact(), "--token-file", file.toString(), "resume"));
        assertEquals(0, ctl(Map.of(CtlCommand.TOKEN_VARIABLE, SECRET), "--contact", contact(), "status"));
        assertEquals(4, ctl(Map.of(CtlCommand.TOKEN_VARIABLE, "wrong"), "--contact", contact(), "status"));
        assertEquals(2, ctl("--contact", contact(), "--token-file", dir.resolve("missing.token").toString(), "status"));
        assertTrue(err.toString().contains("missing.token"), err.toString());
    }

    @Test
    void json_printsTheReplyAsJson() {
        assertEquals(0, ctl("--contact", contact(), "--token", SECRET, "--json", "scale", "--rollout-workers", "3", "--node", "10.0.0.2:25520"));
        assertTrue(out.toString().contains("\"code\": \"OK\"") && out.toString().contains("\"state\": \"PAUSED\""), out.toString());
        assertEquals(3, received.get(0).getScale().getRolloutWorkers());
        assertEquals("10.0.0.2:25520", received.get(0).getScale().getNode());
    }

    @Test
    void unreachablePort_exitsFiveNamingTheAddress() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertEquals(5, ctl("--contact", "127.0.0.1:" + port, "--token", SECRET, "status"));
        assertTrue(err.toString().contains("127.0.0.1:" + port) && err.toString().contains("learner node is running"), err.toString());
    }

    @Test
    void usageErrors_exitTwoWithoutSendingAnything() {
        assertEquals(2, ctl("--contact", contact(), "--token", SECRET, "set", "alpha"));
        assertTrue(err.toString().contains("KEY=VALUE"), err.toString());
        assertEquals(2, ctl("--contact", contact(), "status"));
        assertTrue(err.toString().contains("no control token"), err.toString());
        assertEquals(2, ctl("--contact", "localhost", "--token", SECRET, "status"));
        assertTrue(err.toString().contains("HOST:PORT"), err.toString());
        assertEquals(2, ctl("--contact", contact(), "--token", SECRET, "scale", "--rollout-workers", "-1"));
        assertEquals(2, ctl("--contact", contact(), "--token", SECRET));
        assertTrue(received.isEmpty());
    }

    @Test
    void runDir_suppliesTheEndpointAndTheToken() throws IOException {
        Files.writeString(dir.resolve("control.endpoint"), contact() + "\n");
        Files.writeString(dir.resolve("control.token"), SECRET + "\n");
        assertEquals(0, ctl(Map.of(CtlCommand.TOKEN_VARIABLE, "wrong"), "--run-dir", dir.toString(), "pause"));
        assertEquals(ControlRequest.CommandCase.PAUSE, received.get(0).getCommandCase());
        // an explicit token still wins over the run directory's
        assertEquals(4, ctl("--run-dir", dir.toString(), "--token", "guess", "status"));
    }

    @Test
    void runDirWithoutAnEndpoint_exitsTwoNamingTheFile() {
        assertEquals(2, ctl("--run-dir", dir.toString(), "--token", SECRET, "status"));
        assertTrue(err.toString().contains(dir.resolve("control.endpoint").toString()) && err.toString().contains("--contact"), err.toString());
        assertEquals(2, ctl("--token", SECRET, "status"));
        assertTrue(err.toString().contains("--run-dir RUN_DIR") && err.toString().contains("--contact HOST:PORT"), err.toString());
        assertTrue(received.isEmpty());
    }

    @Test
    void ctl_isASubcommandOfEmend() {
        assertTrue(new CommandLine(new Main()).getSubcommands().containsKey("ctl"));
    }
}
