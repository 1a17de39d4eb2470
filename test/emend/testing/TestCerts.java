package emend.testing;

import emend.tls.ClusterCa;
import emend.tls.TlsSettings;
import java.nio.file.Path;

/**
 * Two clusters' certificates for TLS tests: the cluster's CA with nodes "seed", "good" and "ops", and a foreign CA
 * with node "rogue". Made by the product's own {@link ClusterCa}.
 */
public record TestCerts(Path cluster, Path foreign) {

    public static TestCerts make(Path dir) {
        TestCerts certs = new TestCerts(dir.resolve("cluster"), dir.resolve("foreign"));
        ClusterCa.init(certs.cluster);
        for (String name : new String[] {"seed", "good", "ops"}) {
            ClusterCa.issue(certs.cluster, name);
        }
        ClusterCa.init(certs.foreign);
        ClusterCa.issue(certs.foreign, "rogue");
        return certs;
    }

    public TlsSettings node(String name) {
        return new TlsSettings(cluster.toString(), name);
    }

    public TlsSettings rogue() {
        return new TlsSettings(foreign.toString(), "rogue");
    }
}
