package emend.tls;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** Whether a node may start with the transport it was given: plain TCP only on loopback, or when told so. */
public final class NodeTransport {

    private NodeTransport() {}

    /**
     * Checks before a node starts: with TLS, that its files load (a clear error now rather than a failed handshake
     * later); without, that every address it serves on is a loopback one, unless {@code insecure}.
     *
     * @param out where the warning of an insecure start goes
     * @param servedOn the addresses the node serves on, by the flag or key that set them (its Artery host; the
     *     control endpoint's on a learner node)
     */
    public static void check(TlsSettings tls, boolean insecure, PrintStream out, Map<String, String> servedOn) {
        if (tls.enabled()) {
            tls.context();
            return;
        }
        for (Map.Entry<String, String> served : servedOn.entrySet()) {
            if (!loopback(served.getValue()) && !insecure) {
                throw new IllegalArgumentException(served.getKey() + " " + served.getValue() + " is not a loopback address, and without TLS anyone who can reach this node's "
                        + "ports can join the cluster, send it any message and read the control token. Start the node with --tls DIR "
                        + "--tls-name NAME (make them with `emend cert init DIR` and `emend cert node DIR NAME`), or with --insecure on "
                        + "a network where every host is trusted");
            }
        }
        if (insecure) {
            out.println("WARNING: --insecure: this node talks plain TCP (Artery, weight stream, control endpoint): anyone who can reach "
                    + "its ports can join the cluster and control the run. Use --tls DIR --tls-name NAME on any network not fully trusted.");
        }
    }

    static boolean loopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
