package emend.tls;

import java.nio.file.Path;

/** Where a cluster's TLS files lie in its directory ({@link ClusterCa} makes them). */
public final class TlsFiles {

    private TlsFiles() {}

    public static Path caKey(Path dir) {
        return dir.resolve("ca.key");
    }

    public static Path caCert(Path dir) {
        return dir.resolve("ca.crt");
    }

    public static Path key(Path dir, String name) {
        return dir.resolve(name + ".key");
    }

    public static Path cert(Path dir, String name) {
        return dir.resolve(name + ".crt");
    }

    /** A node name is a file name and a DNS name in its certificate; "ca" would overwrite the CA's files. */
    static void checkName(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,62}") || name.equals("ca")) {
            throw new IllegalArgumentException("a node name is 1 to 63 letters, digits, '.' or '-' (not starting with either, and not "
                    + "'ca'), e.g. learner-1; got '" + name + "'");
        }
    }
}
