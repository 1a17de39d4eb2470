package emend.cli;

import emend.tls.ClusterCa;
import emend.tls.TlsFiles;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emend cert}: the cluster's certificate authority and its node certificates, for {@code emend node --tls}. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Make the certificates of a TLS cluster: a CA (init), then one key and certificate per node or ctl user (node).")
final class CertCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: init DIR, or node DIR NAME");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Make a cluster CA in DIR: ca.key (keep it on this machine, readable by you only) and ca.crt.")
    void init(@Parameters(paramLabel = "DIR", description = "Directory for the CA (created if missing).") Path dir) {
        ClusterCa.init(dir);
        System.out.println("CA made: " + TlsFiles.caCert(dir) + " (give it to every node), " + TlsFiles.caKey(dir)
                + " (keep it here). Next: emend cert node " + dir + " NAME for each node");
    }

    @Command(name = "node", mixinStandardHelpOptions = true,
            description = "Make NAME.key and NAME.crt in DIR, signed by the CA there, for `emend node --tls DIR --tls-name NAME` "
                    + "or `emend ctl --tls DIR --tls-name NAME`.")
    void node(@Parameters(paramLabel = "DIR", description = "The directory `emend cert init` made.") Path dir,
              @Parameters(paramLabel = "NAME", description = "The node's name, e.g. learner-1 (letters, digits, '.', '-').") String name) {
        ClusterCa.issue(dir, name);
        System.out.println("certificate made: " + TlsFiles.cert(dir, name) + " and " + TlsFiles.key(dir, name) + "; copy them with "
                + TlsFiles.caCert(dir) + " (not ca.key) into one directory on that node, readable by its user only");
    }
}
