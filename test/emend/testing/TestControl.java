package emend.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.control.ControlClient;
import emend.control.ControlSettings;
import emend.control.ControlToken;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.RunStatus;
import emend.proto.StatusQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/** Control endpoints for tests: loopback, any free port, a fixed token; a client and a status poller. */
public final class TestControl {

    public static final String TOKEN = "test-token";

    private TestControl() {}

    public static ControlSettings anyPort() {
        return new ControlSettings("127.0.0.1", 0, TOKEN, Duration.ofSeconds(20));
    }

    /** A client of the endpoint named in {@code contactFile}, once the learner node has written it. */
    public static ControlClient client(Path contactFile, String token, Duration wait) throws Exception {
        return client(contactFile, token, wait, null);
    }

    /** @param tls the client's context for the HTTPS endpoint of a TLS cluster, or null for plain HTTP */
    public static ControlClient client(Path contactFile, String token, Duration wait, SSLContext tls) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!Files.exists(contactFile) || Files.readString(contactFile).isBlank()) {
            assertTrue(System.nanoTime() < deadline, "no control endpoint in " + contactFile + " within " + wait);
            Thread.sleep(200);
        }
        String[] hostPort = Files.readString(contactFile).trim().split(":");
        return new ControlClient(hostPort[0], Integer.parseInt(hostPort[1]), ControlToken.of(token), Duration.ofSeconds(5), Duration.ofSeconds(30),
                tls);
    }

    /** Polls status until {@code condition} holds; an endpoint that cannot answer for a moment is asked again. */
    public static RunStatus await(ControlClient client, Predicate<RunStatus> condition, String what, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        ControlReply last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = client.send(status());
                if (last.getCode() == ControlReply.Code.OK && condition.test(last.getStatus())) {
                    return last.getStatus();
                }
            } catch (RuntimeException unreachableForAMoment) {
                // a learner that is starting or moving does not answer yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("waited " + wait + " for " + what + "; last reply " + last);
    }

    public static ControlRequest status() {
        return ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build();
    }
}
