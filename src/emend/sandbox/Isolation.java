package emend.sandbox;

import java.util.Locale;

/**
 * How a candidate is fenced off from the host, strongest first. {@link #AUTO} takes the strongest that works
 * here (see {@link IsolationProbe}).
 */
public enum Isolation {
    AUTO("", ""),
    /** bubblewrap: new user, pid, network, IPC, UTS and mount namespaces; only /usr and the harness, read-only. */
    BWRAP("bwrap", ""),
    /** unshare: new user, pid, network, IPC and UTS namespaces, but the host's file system. */
    UNSHARE("unshare", "the candidate sees the host's file system with the rights of %s (it can read what that user can "
            + "read and write where it can write)"),
    /** Resource limits and a process group only. */
    NONE("none", "the candidate can reach the network, read and write files with the rights of %s, signal or trace that "
            + "user's other processes, and outlive the verification by starting its own session");

    private final String label;
    private final String loss;

    Isolation(String label, String loss) {
        this.label = label;
        this.loss = loss;
    }

    public String label() {
        return label;
    }

    /** What a candidate can do under this isolation that it cannot do under bwrap (empty for bwrap). */
    String loss(String user) {
        return String.format(Locale.ROOT, loss, user);
    }

    public static Isolation parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "bwrap" -> BWRAP;
            case "unshare" -> UNSHARE;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("emend.verify.isolation must be auto, bwrap, unshare or none, got '" + text + "'");
        };
    }
}
