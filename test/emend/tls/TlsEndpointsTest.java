package emend.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.control.ControlClient;
import emend.control.ControlServer;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.control.ControlUnreachableException;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.StatusQuery;
import emend.testing.Await;
import emend.testing.TestCerts;
import emend.weights.WeightAssembly;
import emend.weights.WeightPublication;
import emend.weights.WeightStreamFetch;
import emend.weights.WeightStreamServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weight stream and the control endpoint of a TLS cluster serve only clients with a certificate of its CA. */
final class TlsEndpointsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String SECRET = "tls-test-token";
    private static final ControlRequest STATUS = ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build();

    @TempDir
    static Path dir;
    private static TestCerts certs;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCerts.make(dir);
    }

    @Test
    void weightStream_servesAWorkerOfTheCa_only() {
        byte[] bytes = new byte[3_000];
        new SplittableRandom(5).nextBytes(bytes);
        WeightPublication v1 = new WeightPublication(1, bytes, 1_000, "{}");
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0, certs.node("seed").serverSockets())) {
            server.publish(v1);
            WeightAssembly good = new WeightAssembly(v1.manifest());
            fetchOneVersion(server.address(), good, certs.node("good").sockets());
            assertArrayEquals(bytes, good.bytes());

            // another CA's node fails the handshake, so it falls back to Artery (where it is refused too)
            WeightStreamFetch.Result rogue = fetchOneVersion(server.address(), new WeightAssembly(v1.manifest()), certs.rogue().sockets());
            assertEquals(WeightStreamFetch.Ending.UNREACHABLE, rogue.ending(), rogue.problem());
            WeightAssembly plain = new WeightAssembly(v1.manifest());
            fetchOneVersion(server.address(), plain, SocketFactory.getDefault());
            assertEquals(0, plain.nextMissing(0), "a plain-TCP client got a chunk");
        }
    }

    /** Follows the stream until {@code assembly} is whole (then closes it) or the stream ends. */
    private static WeightStreamFetch.Result fetchOneVersion(String address, WeightAssembly assembly, SocketFactory sockets) {
        WeightStreamFetch fetch = new WeightStreamFetch(address, TIMEOUT, sockets);
        return fetch.follow(assembly, new WeightStreamFetch.Listener() {
            @Override
            public void started(WeightAssembly pushed) {}

            @Override
            public void delivered(WeightAssembly whole) {
                fetch.close();
            }
        });
    }

    @Test
    void controlEndpoint_answersHttpsClientsOfTheCa_only() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ControlReply ok = ControlReply.newBuilder().setCode(ControlReply.Code.OK).setMessage("fine").build();
        try (ControlServer server = new ControlServer(new ControlSettings("127.0.0.1", 0, "", TIMEOUT), ControlToken.of(SECRET),
                request -> CompletableFuture.completedFuture(ok), new PrintStream(log, true, StandardCharsets.UTF_8),
                certs.node("seed").serverSockets(), ControlServer.Limits.DEFAULT).start()) {
            assertEquals(ok, client(server, certs.node("ops")).send(STATUS));
            ControlUnreachableException rogue = assertThrows(ControlUnreachableException.class, () -> client(server, certs.rogue()).send(STATUS));
            assertTrue(rogue.getMessage().contains("TLS handshake") && rogue.getMessage().contains("--tls DIR --tls-name NAME"),
                    rogue.getMessage());
            assertThrows(ControlUnreachableException.class, () -> client(server, TlsSettings.OFF).send(STATUS));
            // trusting the CA (its certificate is public) is not enough: the server wants the client's own certificate
            ControlClient anonymous = new ControlClient("127.0.0.1", server.port(), ControlToken.of(SECRET), TIMEOUT, TIMEOUT, trustOnly());
            assertThrows(ControlUnreachableException.class, () -> anonymous.send(STATUS));
            // the server logs after its handshake fails, which a client can learn of (the alert) before that line is written
            Await.until(() -> refusals(log) >= 2, TIMEOUT, () -> "two logged refusals in: " + log.toString(StandardCharsets.UTF_8));
        }
    }

    private static long refusals(ByteArrayOutputStream log) {
        return log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("control: refused a connection from")).count();
    }

    private static SSLContext trustOnly() throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", Pem.certificate(TlsFiles.caCert(certs.cluster())));
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static ControlClient client(ControlServer server, TlsSettings tls) {
        return new ControlClient("127.0.0.1", server.port(), ControlToken.of(SECRET), TIMEOUT, TIMEOUT, tls.enabled() ? tls.context() : null);
    }
}
