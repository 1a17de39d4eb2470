package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import emend.testing.TestCerts;
import emend.tls.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster on Artery's tls-tcp: only a node with a certificate of the cluster's CA joins. A node of another CA and
 * a plain-TCP node are refused at the handshake and never become members; raw sockets show the same refusal for a
 * client that presents a foreign certificate, none, or speaks plain TCP.
 */
final class TlsClusterTest {

    @TempDir
    static Path dir;
    private static TestCerts certs;

    private final List<ActorSystem<Void>> nodes = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() {
        certs = TestCerts.make(dir);
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(ActorSystem::terminate);
        for (ActorSystem<Void> node : nodes) {
            node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private ActorSystem<Void> start(List<String> seeds, TlsSettings tls) {
        // joiners retry their seed every second, so a refused one keeps knocking while we watch
        NodeOptions options = new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, seeds, 0,
                ConfigFactory.parseString("pekko.cluster.seed-node-timeout = 1s\npekko.loglevel = OFF"));
        ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, NodeConfig.of(options, tls));
        nodes.add(node);
        return node;
    }

    private ActorSystem<Void> seed() {
        ActorSystem<Void> seed = start(List.of(), certs.node("seed"));
        Cluster.get(seed).manager().tell(Join.create(Cluster.get(seed).selfMember().address()));
        return seed;
    }

    private static int port(ActorSystem<Void> node) {
        return node.address().getPort().orElseThrow();
    }

    private static Set<Address> upMembers(ActorSystem<Void> node) {
        return StreamSupport.stream(Cluster.get(node).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).map(Member::address).collect(Collectors.toSet());
    }

    @Test
    void foreignAndPlainNodes_areRefused_whileANodeOfTheCaJoins() throws Exception {
        ActorSystem<Void> seed = seed();
        List<String> seeds = List.of("127.0.0.1:" + port(seed));
        ActorSystem<Void> rogue = start(seeds, certs.rogue());
        ActorSystem<Void> plain = start(seeds, TlsSettings.OFF);
        ActorSystem<Void> good = start(seeds, certs.node("good"));
        Set<Address> members = Set.of(seed.address(), good.address());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!upMembers(seed).equals(members)) {
            assertTrue(System.nanoTime() < deadline, "the node with the cluster's certificate did not join within 60 s: " + upMembers(seed));
            Thread.sleep(100);
        }
        // the refused nodes keep retrying every second: watch three of their attempts
        long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < watchUntil) {
            assertEquals(members, upMembers(seed));
            assertFalse(Cluster.get(rogue).state().getMembers().iterator().hasNext(), "the foreign node saw a member");
            assertFalse(Cluster.get(plain).state().getMembers().iterator().hasNext(), "the plain-TCP node saw a member");
            Thread.sleep(100);
        }
    }

    @Test
    void arteryHandshake_refusesForeignOrMissingCertificatesAndPlainTcp_acceptsTheCas() throws Exception {
        int port = port(seed());
        // a client of the CA is taken, and its connection stays open waiting for Artery's first frame
        try (SSLSocket ops = connect(certs.node("ops").context(), port)) {
            ops.startHandshake();
            assertThrows(SocketTimeoutException.class, () -> ops.getInputStream().read());
        }
        // trusts the cluster's CA (it is public) but presents another CA's certificate, or none
        assertRefused(connect(context(certs.foreign().resolve("rogue.key"), certs.foreign().resolve("rogue.crt"),
                certs.cluster().resolve("ca.crt")), port));
        assertRefused(connect(context(null, null, certs.cluster().resolve("ca.crt")), port));
        // a node of another cluster does not even trust this one
        try (SSLSocket rogue = connect(certs.rogue().context(), port)) {
            assertThrows(IOException.class, rogue::startHandshake);
        }
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(5_000);
            // what a plain Artery node sends first: the magic, the stream id, then a frame
            plain.getOutputStream().write("AKKA\u0001\u0000\u0000\u0000\u0010plain-tcp-frame!".getBytes(StandardCharsets.US_ASCII));
            assertClosedByServer(plain.getInputStream());
        }
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(1_500);
        return socket;
    }

    /** The server ends the connection (an alert, a reset or EOF) instead of keeping it open. */
    private static void assertRefused(SSLSocket socket) throws IOException {
        try (socket) {
            socket.setSoTimeout(5_000);
            try {
                socket.startHandshake();
            } catch (IOException refusedDuringHandshake) {
                return;
            }
            assertClosedByServer(socket.getInputStream());
        }
    }

    private static void assertClosedByServer(InputStream in) {
        try {
            assertEquals(-1, in.read(), "the server sent data to a refused client");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection of a client it should refuse", e);
        } catch (IOException closed) {
            // refused: an alert or a reset
        }
    }

    /** A TLS client trusting {@code ca}, presenting {@code key}/{@code cert} (none when null). */
    private static SSLContext context(Path key, Path cert, Path ca) throws Exception {
        KeyManager[] keys = null;
        if (key != null) {
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry("k", new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) pem(key)), new char[0],
                    new Certificate[] {certificate(cert)});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(identity, new char[0]);
            keys = factory.getKeyManagers();
        }
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", certificate(ca));
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust.getTrustManagers(), null);
        return context;
    }

    private static X509Certificate certificate(Path file) throws Exception {
        return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) pem(file));
    }

    private static Object pem(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            return parser.readObject();
        }
    }
}
