package emend.cli;

import emend.control.ControlClient;
import emend.control.ControlEncoding;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.control.ControlUnreachableException;
import emend.control.ReplyText;
import emend.proto.CheckpointNow;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.PauseRun;
import emend.proto.ResumeRun;
import emend.proto.ScaleWorkers;
import emend.proto.SetParameter;
import emend.proto.StatusQuery;
import emend.proto.StopRun;
import emend.tls.TlsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code emend ctl}: the control client of a running learner node. Exit status 0 = done, 2 = usage error,
 * 3 = refused, 4 = unauthorized, 5 = unavailable or unreachable, 6 = bad request.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Control a running training job through the learner node's control endpoint (emend.control.*).",
        footer = {"", "Exit status: 0 done, 2 usage error, 3 refused, 4 unauthorized (missing or wrong token), "
                + "5 unavailable or cannot connect, 6 bad request."})
final class CtlCommand implements Runnable {

    static final String TOKEN_VARIABLE = ControlSettings.TOKEN_VARIABLE;
    // the learner node writes it (emend.actors.control.ControlEndpoint, which the core cannot import)
    private static final String CONTACT_FILE = "control.endpoint";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    // above the server's default emend.control.timeout (10 s), so its UNAVAILABLE reply wins the race
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--contact", paramLabel = "HOST:PORT",
            description = "The learner node's control endpoint (emend.control.host and emend.control.port, default port 8470).")
    String contact;

    @Option(names = "--run-dir", paramLabel = "RUN_DIR", description = "The run's directory: the endpoint from its " + CONTACT_FILE
            + " and the token from its " + ControlToken.FILE_NAME + " (--contact, --token, --token-file override them).")
    Path runDir;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The control token (visible to other users in the process list; "
            + "prefer --token-file or " + TOKEN_VARIABLE + ").")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the token: the run directory's control.token, written by the learner node at start.")
    Path tokenFile;

    @Option(names = "--tls", paramLabel = "DIR", description = "For a TLS cluster: the directory with its ca.crt and this client's "
            + "NAME.crt and NAME.key (emend cert node DIR NAME); the server must hold a certificate of the same CA.")
    Path tlsDir;

    @Option(names = "--tls-name", paramLabel = "NAME", description = "The client certificate's name in --tls DIR.")
    String tlsName;

    @Option(names = "--json", description = "Print the reply as JSON (proto/emend/v1/control.proto's ControlReply).")
    boolean json;

    private final Map<String, String> environment;

    CtlCommand() {
        this(System.getenv());
    }

    /** @param environment where {@value #TOKEN_VARIABLE} is looked up (a test passes its own) */
    CtlCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: status, pause, resume, stop, checkpoint, set, scale or drain");
    }

    /** Sends the request, prints the reply and turns its code into the exit status. */
    private int send(ControlRequest request) {
        HostPort address = HostPort.parse(contact(), spec);
        ControlToken secret = token();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ControlReply reply;
        try {
            reply = new ControlClient(address.host(), address.port(), secret, CONNECT_TIMEOUT, REQUEST_TIMEOUT, tls()).send(request);
        } catch (ControlUnreachableException e) {
            err.println("emend: " + e.getMessage());
            return 5;
        }
        if (json) {
            out.println(ControlEncoding.json(reply));
        } else if (reply.getCode() == ControlReply.Code.OK) {
            out.print(ReplyText.render(reply));
        } else {
            err.println("emend: " + reply.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + reply.getMessage());
        }
        out.flush();
        err.flush();
        return exitStatus(reply.getCode());
    }

    private static int exitStatus(ControlReply.Code code) {
        return switch (code) {
            case OK -> 0;
            case REFUSED -> 3;
            case UNAUTHORIZED -> 4;
            case UNAVAILABLE -> 5;
            case BAD_REQUEST -> 6;
            // a server that speaks a newer or broken contract
            case CODE_UNSPECIFIED, UNRECOGNIZED -> 1;
        };
    }

    private ControlToken token() {
        if (token != null) {
            return ControlToken.of(token);
        }
        if (tokenFile != null) {
            return ControlToken.read(tokenFile);
        }
        // the run named on this command line is more specific than a variable left in the shell
        if (runDir != null) {
            return ControlToken.read(runDir.resolve(ControlToken.FILE_NAME));
        }
        String fromEnvironment = environment.get(TOKEN_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return ControlToken.of(fromEnvironment);
        }
        throw new ParameterException(spec.commandLine(), "no control token: pass --run-dir RUN_DIR or --token-file RUN_DIR/control.token "
                + "(the learner node writes it at start), --token TOKEN, or set " + TOKEN_VARIABLE);
    }

    /** The client's TLS context, or null for plain HTTP. */
    private SSLContext tls() {
        if (tlsDir == null && tlsName == null) {
            return null;
        }
        if (tlsDir == null || tlsName == null) {
            throw new ParameterException(spec.commandLine(), "--tls DIR and --tls-name NAME go together: the client certificate is "
                    + "DIR/NAME.crt (make it with emend cert node DIR NAME)");
        }
        return new TlsSettings(tlsDir.toString(), tlsName).context();
    }

    /** --contact, else the endpoint the learner node wrote into the run directory. */
    private String contact() {
        if (contact != null) {
            return contact;
        }
        if (runDir == null) {
            throw new ParameterException(spec.commandLine(), "name the control endpoint: --run-dir RUN_DIR (reads " + CONTACT_FILE + " and "
                    + ControlToken.FILE_NAME + " there) or --contact HOST:PORT");
        }
        Path file = runDir.resolve(CONTACT_FILE);
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read " + file + " (" + e.getMessage() + "): the learner node writes it "
                    + "when its control endpoint starts; check that the run is started and that " + runDir + " is its run directory, "
                    + "or pass --contact HOST:PORT");
        }
    }

    private record HostPort(String host, int port) {

        static HostPort parse(String contact, CommandSpec spec) {
            int colon = contact.lastIndexOf(':');
            String host = colon < 0 ? "" : contact.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(contact.substring(colon + 1));
                if (!host.isEmpty() && port >= 1 && port <= 65535) {
                    return new HostPort(host, port);
                }
            } catch (NumberFormatException ignored) {
                // the message below says what is expected
            }
            throw new ParameterException(spec.commandLine(), "--contact must be HOST:PORT, e.g. --contact 127.0.0.1:8470, got '" + contact + "'");
        }
    }

    // The subcommands are these @Command methods (picocli adds them itself): each builds its request, send does the rest.

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the run's state, progress, parameters and nodes.")
    int status() {
        return send(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build());
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Stop handing out prompts and taking learner steps; work in flight finishes and is kept.")
    int pause() {
        return send(ControlRequest.newBuilder().setPause(PauseRun.getDefaultInstance()).build());
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused run.")
    int resume() {
        return send(ControlRequest.newBuilder().setResume(ResumeRun.getDefaultInstance()).build());
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Write a checkpoint, then end the run (continue later with emend train --resume RUN_DIR).")
    int stop() {
        return send(ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build());
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Write a checkpoint after the step in progress.")
    int checkpoint() {
        return send(ControlRequest.newBuilder().setCheckpoint(CheckpointNow.getDefaultInstance()).build());
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Change a live parameter from the next step: alpha, beta1, beta2, learning-rate, temperature, max-staleness.")
    int set(@Parameters(paramLabel = "KEY=VALUE", description = "e.g. alpha=5") String assignment) {
        int equals = assignment.indexOf('=');
        if (equals <= 0 || equals == assignment.length() - 1) {
            throw usageError("set", "write the parameter as KEY=VALUE with no spaces around '=', e.g. emend ctl set alpha=5; got '"
                    + assignment + "'");
        }
        return send(ControlRequest.newBuilder().setSet(SetParameter.newBuilder()
                .setKey(assignment.substring(0, equals).strip()).setValue(assignment.substring(equals + 1).strip())).build());
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Set the number of rollout workers on one node, or on every rollout node.")
    int scale(@Option(names = "--rollout-workers", required = true, paramLabel = "N", description = "Workers per node (0 stops them all).")
              int rolloutWorkers,
              @Option(names = "--node", paramLabel = "ADDRESS", defaultValue = "",
                      description = "The node, as status lists it (e.g. 127.0.0.1:25521); none = every rollout node.") String node) {
        if (rolloutWorkers < 0) {
            throw usageError("scale", "--rollout-workers must be 0 or more, got " + rolloutWorkers);
        }
        return send(ControlRequest.newBuilder().setScale(ScaleWorkers.newBuilder().setRolloutWorkers(rolloutWorkers).setNode(node)).build());
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Let a node's workers finish what they hold, take no new work, then have the node leave the cluster.")
    int drain(@Parameters(paramLabel = "NODE", description = "The node's address as status lists it, e.g. 127.0.0.1:25521.") String node) {
        return send(ControlRequest.newBuilder().setDrain(DrainNode.newBuilder().setNode(node)).build());
    }

    /** A usage error of one subcommand, so picocli prints that subcommand's usage after the message. */
    private ParameterException usageError(String subcommand, String message) {
        return new ParameterException(spec.subcommands().get(subcommand), message);
    }
}
