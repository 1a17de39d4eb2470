package emend.actors.control;

import emend.actors.learner.Learner;
import emend.control.ControlServer;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/** Starts the control endpoint of a learner node and tells the operator where it is and where its token is. */
public final class ControlEndpoint {

    /** The file in the run directory naming the endpoint, host:port, for scripts and `emend ctl --contact`. */
    public static final String CONTACT_FILE = "control.endpoint";

    private ControlEndpoint() {}

    /**
     * Serves the control API for {@code learner}. A taken port fails the start, naming the port and the key: a
     * silent move to another port would leave clients sending the token to whoever holds the configured one.
     */
    public static ControlServer start(ActorSystem<?> system, ActorRef<Learner.Command> learner, ControlSettings settings, Path runDirectory,
                                      PrintStream out) {
        ControlToken token = ControlToken.resolve(settings.token(), runDirectory);
        ClusterControl control = new ClusterControl(system, learner, settings.timeout());
        ControlServer server = new ControlServer(settings, token, control, out).start();
        String contact = settings.host() + ":" + server.port();
        try {
            Files.writeString(runDirectory.resolve(CONTACT_FILE), contact + "\n");
        } catch (IOException e) {
            out.println("control endpoint: cannot write " + runDirectory.resolve(CONTACT_FILE) + ": " + e.getMessage());
        }
        String credentials = settings.token().isBlank() ? "--token-file " + runDirectory.resolve(ControlToken.FILE_NAME) : "--token T";
        out.printf("control endpoint: %s  (emend ctl --contact %s %s status)%n", contact, contact, credentials);
        return server;
    }
}
