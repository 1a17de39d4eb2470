package emend.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ClusterCaTest {

    @TempDir
    static Path dir;
    private static Path ca;

    @BeforeAll
    static void makeCa() {
        ca = dir.resolve("ca");
        ClusterCa.init(ca);
        ClusterCa.issue(ca, "learner-1");
    }

    @Test
    void init_writesAnOwnerOnlyKeyAndASelfSignedCaCertificate() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(TlsFiles.caKey(ca))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca)));
        X509Certificate cert = Pem.certificate(TlsFiles.caCert(ca));
        cert.verify(cert.getPublicKey());
        assertTrue(cert.getBasicConstraints() >= 0, "a CA certificate");
        assertEquals("RSA", Pem.privateKey(TlsFiles.caKey(ca)).getAlgorithm());
    }

    @Test
    void issue_signsANodeCertificateWithItsNameAndTheClusterName() throws Exception {
        X509Certificate node = Pem.certificate(TlsFiles.cert(ca, "learner-1"));
        node.verify(Pem.certificate(TlsFiles.caCert(ca)).getPublicKey());
        assertEquals(-1, node.getBasicConstraints(), "not a CA");
        assertEquals("CN=learner-1", node.getSubjectX500Principal().getName());
        Set<Object> names = node.getSubjectAlternativeNames().stream().map(name -> name.get(1)).collect(Collectors.toSet());
        assertEquals(Set.of("learner-1", ClusterCa.CLUSTER_NAME), names);
        assertTrue(node.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "server and client auth");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(TlsFiles.key(ca, "learner-1"))));
        // Pekko's PEM reader takes only unencrypted PKCS#8 ("PRIVATE KEY") or PKCS#1 RSA keys
        assertTrue(Files.readString(TlsFiles.key(ca, "learner-1")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertNotNull(new TlsSettings(ca.toString(), "learner-1").context());
    }

    @Test
    void existingFilesAndBadNames_areRefusedNamingTheFix() {
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> ClusterCa.init(ca));
        assertTrue(again.getMessage().contains("already holds a cluster CA"), again.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ClusterCa.issue(ca, "learner-1"));
        assertTrue(twice.getMessage().contains("already holds a certificate for learner-1"), twice.getMessage());
        for (String bad : new String[] {"ca", "../x", "-a", "a b", ""}) {
            assertThrows(IllegalArgumentException.class, () -> ClusterCa.issue(ca, bad), bad);
        }
        IllegalArgumentException noCa = assertThrows(IllegalArgumentException.class, () -> ClusterCa.issue(dir.resolve("none"), "n1"));
        assertTrue(noCa.getMessage().contains("ca.key") && noCa.getMessage().contains("does not exist"), noCa.getMessage());
    }

    @Test
    void settings_nameTheMissingFileAndTheCommandThatMakesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TlsSettings(ca.toString(), "nobody").context());
        assertTrue(e.getMessage().contains("nobody.key") && e.getMessage().contains("emend cert node"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TlsSettings(ca.toString(), ""));
    }

    @Test
    void plainTcpOffLoopback_isRefusedUnlessInsecure() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        NodeTransport.check(TlsSettings.OFF, false, print, Map.of("--host", "127.0.0.1", "emend.control.host", "localhost"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeTransport.check(TlsSettings.OFF, false, print, Map.of("--host", "127.0.0.1", "emend.control.host", "10.1.2.3")));
        assertTrue(e.getMessage().startsWith("emend.control.host 10.1.2.3 is not a loopback address") && e.getMessage().contains("--tls DIR --tls-name NAME")
                && e.getMessage().contains("--insecure"), e.getMessage());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        NodeTransport.check(TlsSettings.OFF, true, print, Map.of("--host", "10.1.2.3"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("WARNING: --insecure"), out.toString(StandardCharsets.UTF_8));
        NodeTransport.check(new TlsSettings(ca.toString(), "learner-1"), false, print, Map.of("--host", "10.1.2.3"));
    }
}
