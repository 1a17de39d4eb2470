package emend.actors.control;

import emend.actors.protocol.LearnerProtocol;
import emend.control.ControlServer;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.tls.TlsSettings;
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
     *
     * @param tls when enabled, the endpoint speaks HTTPS and serves only clients with a certificate of the cluster's CA
     */
    public static ControlServer start(ActorSystem<?> system, ActorRef<LearnerProtocol.Command> learner, ControlSettings settings, TlsSettings tls,
                                      Path runDirectory, PrintStream out) {
        ControlToken token = ControlToken.resolve(settings.token(), runDirectory);
        ClusterControl control = new ClusterControl(system, learner, settings.timeout());
        ControlServer server = new ControlServer(settings, token, control, out, tls.serverSockets(), ControlServer.Limits.DEFAULT).start();
        String contact = settings.host() + ":" + server.port();
        try {
            Files.writeString(runDirectory.resolve(CONTACT_FILE), contact + "\n");
        } catch (IOException e) {
            out.println("control endpoint: cannot write " + runDirectory.resolve(CONTACT_FILE) + ": " + e.getMessage());
        }
        // a configured token is not written to the run directory: ctl must be given it
        String credentials = settings.token().isBlank() ? "" : " --token T";
        String scheme = tls.enabled() ? "https, client certificates of the cluster's CA" : "http";
        String client = tls.enabled() ? " --tls " + tls.dir() + " --tls-name NAME" : "";
        out.printf("control endpoint: %s (%s)  (emend ctl --run-dir %s%s%s status)%n", contact, scheme, runDirectory, credentials, client);
        return server;
    }
}
