package emend.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps candidates off root: when emend runs as root, the judge and the candidate start as an unprivileged uid
 * instead. Root is exempt from RLIMIT_NPROC (a fork bomb would not be stopped), keeps its capabilities in a
 * sandbox made without a user namespace, and can read every file when isolation is weak.
 */
final class HostUser {

    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final boolean ROOT = readRoot();

    private HostUser() {}

    static boolean isRoot() {
        return ROOT;
    }

    /** {@code command}, run as {@code uid} when emend is root (setpriv from util-linux), else as is. */
    static List<String> unprivileged(List<String> command, int uid) {
        if (!ROOT) {
            return command;
        }
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            throw new IllegalArgumentException("emend runs as root and needs " + SETPRIV + " (util-linux) to run code candidates as uid "
                    + uid + "; install util-linux or run emend as an ordinary user");
        }
        List<String> out = new ArrayList<>(List.of(SETPRIV, "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all"));
        out.addAll(command);
        return out;
    }

    /** Hands {@code dir} to {@code uid} when emend is root, so the candidate can work in it. */
    static void handOver(Path dir, int uid) {
        if (!ROOT) {
            return;
        }
        try {
            Files.setAttribute(dir, "unix:uid", uid);
            Files.setAttribute(dir, "unix:gid", uid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hand the scratch folder " + dir + " to uid " + uid, e);
        }
    }

    private static boolean readRoot() {
        try {
            // /proc/self belongs to this process's effective uid
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
