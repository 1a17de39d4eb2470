package emend.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.NodeStatus;
import emend.proto.PauseRun;
import emend.proto.RunStatus;
import emend.proto.StatusQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ControlServerTest {

    private static final String SECRET = "s3cret-token-for-tests";
    private static final ControlRequest STATUS = ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build();
    private static final ControlRequest PAUSE = ControlRequest.newBuilder().setPause(PauseRun.getDefaultInstance()).build();
    private static final ControlReply RUNNING = ControlReply.newBuilder().setCode(ControlReply.Code.OK)
            .setStatus(RunStatus.newBuilder().setState("RUNNING").setStage("stage1").setStepsDone(3).setTotalSteps(120)
                    .putParameters("alpha", "10.0")
                    .addNodes(NodeStatus.newBuilder().setAddress("127.0.0.1:25520").addRoles("learner").setState("UP")))
            .build();

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final List<ControlRequest> handled = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ControlServer server;

    @AfterEach
    void close() {
        server.close();
    }

    private ControlServer start(ControlHandler handler, Duration timeout) {
        ControlHandler recording = request -> {
            handled.add(request);
            return handler.handle(request);
        };
        server = new ControlServer(new ControlSettings("127.0.0.1", 0, "", timeout), ControlToken.of(SECRET), recording,
                new PrintStream(logBytes, true, StandardCharsets.UTF_8)).start();
        return server;
    }

    private ControlServer startLimited(ControlServer.Limits limits) {
        server = new ControlServer(new ControlSettings("127.0.0.1", 0, "", Duration.ofSeconds(5)), ControlToken.of(SECRET),
                request -> {
                    handled.add(request);
                    return CompletableFuture.completedFuture(RUNNING);
                }, new PrintStream(logBytes, true, StandardCharsets.UTF_8), ServerSocketFactory.getDefault(), limits).start();
        return server;
    }

    /** A client that sends the head of a request announcing a body, then nothing. */
    private Socket stalled(String token) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream().write(("POST /v1/control HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    private static double secondsSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private ControlServer startAnswering(ControlReply reply) {
        return start(request -> CompletableFuture.completedFuture(reply), Duration.ofSeconds(5));
    }

    private HttpResponse<byte[]> post(String contentType, byte[] body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/control"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private ControlClient client(String token) {
        return new ControlClient("127.0.0.1", server.port(), ControlToken.of(token), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void status_roundTripsAsProtobuf() {
        startAnswering(RUNNING);
        assertEquals(RUNNING, client(SECRET).send(STATUS));
        assertEquals(List.of(STATUS), handled);
    }

    @Test
    void status_roundTripsAsJsonWithTheReplyInJson() throws Exception {
        startAnswering(RUNNING);
        HttpResponse<byte[]> response = post("application/json; charset=utf-8", "{\"status\": {}}".getBytes(StandardCharsets.UTF_8),
                "Bearer " + SECRET);
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        ControlReply.Builder reply = ControlReply.newBuilder();
        JsonFormat.parser().merge(new String(response.body(), StandardCharsets.UTF_8), reply);
        assertEquals(RUNNING, reply.build());
        assertEquals(List.of(STATUS), handled);
    }

    @Test
    void wrongOrMissingToken_is401WithoutReachingTheRunAndTheLogNamesTheCallerNotTheToken() throws Exception {
        startAnswering(RUNNING);
        ControlReply wrong = client("not-the-token").send(PAUSE);
        assertEquals(ControlReply.Code.UNAUTHORIZED, wrong.getCode());
        assertTrue(wrong.getMessage().contains("control.token"), wrong.getMessage());

        HttpResponse<byte[]> missing = post("application/x-protobuf", PAUSE.toByteArray(), null);
        assertEquals(401, missing.statusCode());
        assertEquals(ControlReply.Code.UNAUTHORIZED, ControlReply.parseFrom(missing.body()).getCode());

        assertEquals(401, post("application/x-protobuf", PAUSE.toByteArray(), "Basic " + SECRET).statusCode());
        assertTrue(handled.isEmpty(), "an unauthorised request must not reach the run");
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertEquals(3, log.lines().filter(l -> l.contains("refused a request from /127.0.0.1:") && l.contains("wrong token")).count(), log);
        assertFalse(log.contains("not-the-token"), log);
        assertFalse(log.contains(SECRET), log);
    }

    @Test
    void wrongToken_isAnsweredFromTheHeadersWithoutWaitingForTheBody() throws Exception {
        startLimited(new ControlServer.Limits(Duration.ofSeconds(20), 1, 1));
        long started = System.nanoTime();
        try (Socket client = stalled("guess")) {
            client.setSoTimeout(5_000);
            String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(reply.startsWith("HTTP/1.1 401 "), reply);
        }
        // long before the 20 s request deadline: the body it never sent was not waited for
        assertTrue(secondsSince(started) < 3, "answered after " + secondsSince(started) + " s");
        assertTrue(handled.isEmpty());
    }

    @Test
    void clientsThatStopSending_doNotBlockTheNextClient() throws Exception {
        // one thread: without a deadline the first stalled client would hold it for good
        startLimited(new ControlServer.Limits(Duration.ofMillis(400), 1, 4));
        try (Socket first = stalled(SECRET); Socket second = stalled(SECRET); Socket silent = new Socket("127.0.0.1", server.port())) {
            long started = System.nanoTime();
            assertEquals(RUNNING, client(SECRET).send(STATUS));
            assertTrue(secondsSince(started) < 3, "answered after " + secondsSince(started) + " s");
            // the stalled clients were cut off at their deadline, not answered
            first.setSoTimeout(5_000);
            assertEquals(-1, first.getInputStream().read());
        }
        assertEquals(List.of(STATUS), handled);
    }

    @Test
    void defaultLimits_twoStalledClientsDoNotDelayCtl() throws Exception {
        startLimited(ControlServer.Limits.DEFAULT);
        try (Socket first = stalled(SECRET); Socket second = stalled(SECRET)) {
            long started = System.nanoTime();
            assertEquals(RUNNING, client(SECRET).send(STATUS));
            assertTrue(secondsSince(started) < 2, "answered after " + secondsSince(started) + " s");
        }
    }

    @Test
    void fullQueue_closesAFurtherConnectionAtOnce() throws Exception {
        startLimited(new ControlServer.Limits(Duration.ofSeconds(20), 1, 1));
        try (Socket reading = stalled(SECRET); Socket waiting = stalled(SECRET)) {
            long started = System.nanoTime();
            assertThrows(ControlUnreachableException.class, () -> client(SECRET).send(STATUS));
            assertTrue(secondsSince(started) < 3, "refused after " + secondsSince(started) + " s");
        }
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("refused a connection from /127.0.0.1:") && log.contains("1 requests are already waiting"), log);
    }

    @Test
    void notHttpOrAnOversizedHead_isRefusedAndLogged() throws Exception {
        startAnswering(RUNNING);
        for (String request : new String[] {"HELLO\r\n\r\n", "GET /v1/health HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n"}) {
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                assertEquals(-1, client.getInputStream().read(), "no reply to " + request.substring(0, 5));
            } catch (SocketException reset) {
                // the server closed with the rest of the head unread: a reset is a refusal too
            }
        }
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("not an HTTP/1.x request line") && log.contains("the request head is over 16384 bytes"), log);
        assertTrue(handled.isEmpty());
    }

    @Test
    void takenPort_failsNamingThePortAndTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new ControlServer(
                    new ControlSettings("127.0.0.1", taken.getLocalPort(), "", Duration.ofSeconds(5)), ControlToken.of(SECRET),
                    request -> new CompletableFuture<>(), new PrintStream(logBytes, true, StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()) && e.getMessage().contains("emend.control.port"),
                    e.getMessage());
        }
        startAnswering(RUNNING);  // for close()
    }

    @Test
    void malformedBody_is400NamingTheParseError() throws Exception {
        startAnswering(RUNNING);
        HttpResponse<byte[]> garbage = post("application/x-protobuf", new byte[] {(byte) 0xff, (byte) 0xff, 0x01}, "Bearer " + SECRET);
        assertEquals(400, garbage.statusCode());
        ControlReply reply = ControlReply.parseFrom(garbage.body());
        assertEquals(ControlReply.Code.BAD_REQUEST, reply.getCode());
        assertTrue(reply.getMessage().startsWith("the body is not a ControlRequest in application/x-protobuf: "), reply.getMessage());

        HttpResponse<byte[]> typo = post("application/json", "{\"statsu\": {}}".getBytes(StandardCharsets.UTF_8), "Bearer " + SECRET);
        assertEquals(400, typo.statusCode());
        assertTrue(new String(typo.body(), StandardCharsets.UTF_8).contains("statsu"));
        assertTrue(handled.isEmpty());
    }

    @Test
    void replyCodes_mapToHttpStatuses() throws Exception {
        Map<ControlReply.Code, Integer> expected = Map.of(ControlReply.Code.OK, 200, ControlReply.Code.REFUSED, 409,
                ControlReply.Code.UNAVAILABLE, 503);
        Deque<ControlReply> replies = new ArrayDeque<>();
        expected.keySet().forEach(code -> replies.add(ControlReply.newBuilder().setCode(code).setMessage(code.name()).build()));
        start(request -> CompletableFuture.completedFuture(replies.poll()), Duration.ofSeconds(5));
        for (int i = 0; i < expected.size(); i++) {
            HttpResponse<byte[]> response = post("application/x-protobuf", PAUSE.toByteArray(), "Bearer " + SECRET);
            ControlReply reply = ControlReply.parseFrom(response.body());
            assertEquals(expected.get(reply.getCode()), response.statusCode(), reply.getMessage());
            assertEquals(reply.getCode().name(), reply.getMessage());
        }
        assertTrue(replies.isEmpty());
        // every command but a successful status poll leaves an audit line: what, from where, with what outcome
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("control: pause { } from /127.0.0.1:"), log);
        assertEquals(3, log.lines().count(), log);
    }

    @Test
    void slowRun_is503WithinTheTimeout() throws Exception {
        start(request -> new CompletableFuture<>(), Duration.ofMillis(300));
        long started = System.nanoTime();
        HttpResponse<byte[]> response = post("application/x-protobuf", STATUS.toByteArray(), "Bearer " + SECRET);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(503, response.statusCode());
        ControlReply reply = ControlReply.parseFrom(response.body());
        assertEquals(ControlReply.Code.UNAVAILABLE, reply.getCode());
        assertTrue(reply.getMessage().startsWith("the run did not answer within 0.3 s"), reply.getMessage());
        assertTrue(seconds >= 0.3 && seconds < 3, "answered after " + seconds + " s");
    }

    @Test
    void healthNeedsNoToken_andOtherPathsAndMethodsAreRefused() throws Exception {
        startAnswering(RUNNING);
        String base = "http://127.0.0.1:" + server.port();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("ok", health.body().strip());
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/control")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/control/extra"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(STATUS.toByteArray())).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertTrue(handled.isEmpty());
    }

    @Test
    void client_namesTheAddressAndWhatToCheckWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        startAnswering(RUNNING);
        ControlClient nobody = new ControlClient("127.0.0.1", port, ControlToken.of(SECRET), Duration.ofSeconds(2), Duration.ofSeconds(2));
        ControlUnreachableException e = assertThrows(ControlUnreachableException.class, () -> nobody.send(STATUS));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("learner node is running") && e.getMessage().contains("emend.control.port"), e.getMessage());
    }
}
