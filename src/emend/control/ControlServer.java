package emend.control;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;

/**
 * The HTTP endpoint {@code emend ctl} talks to: {@code POST /v1/control} with a {@link ControlRequest} (binary
 * protobuf or JSON) and a bearer token, answered with a {@link ControlReply} in the same encoding; and
 * {@code GET /v1/health} without a token, for load balancers. One request per connection (HTTP/1.1 with
 * {@code Connection: close}).
 *
 * <p>A small server on plain sockets rather than the JDK's {@code HttpServer}, because that one reads headers,
 * drains bodies and runs TLS handshakes on its worker threads with no deadline of its own (only JVM-wide system
 * properties), so two clients that stop sending stalled it. Here every connection has a deadline for its request
 * (handshake, head and body), the token is checked from the headers before any of the body is read, and the
 * connections waiting for a thread are bounded: beyond them a connection is closed at once.
 */
public final class ControlServer implements AutoCloseable {

    static final String CONTROL_PATH = "/v1/control";
    private static final String HEALTH_PATH = "/v1/health";

    // A control request is a few dozen bytes; the cap keeps a stray upload from filling the heap.
    private static final int MAX_BODY_BYTES = 64 * 1024;
    // After an early reply (401, 400) the unread rest of the request is discarded for at most this long, so the
    // close does not reset the connection before the client has read the reply.
    private static final int LINGER_MILLIS = 500;
    private static final TextFormat.Printer AUDIT = TextFormat.printer().emittingSingleLine(true);

    /**
     * How much a client may hold of the server.
     *
     * @param requestDeadline time a connection has to deliver its whole request (TLS handshake, head and body)
     * @param threads requests read at once
     * @param queue connections waiting for a thread; more are closed at once
     */
    public record Limits(Duration requestDeadline, int threads, int queue) {

        /** A request from ctl takes milliseconds; 5 s leaves room for a slow network and a TLS handshake. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), 4, 16);

        public Limits {
            if (requestDeadline.isNegative() || requestDeadline.isZero() || threads < 1 || queue < 1) {
                throw new IllegalArgumentException("control server limits need a positive deadline, threads and queue: " + this);
            }
        }
    }

    private final ControlSettings settings;
    private final ControlToken token;
    private final ControlHandler handler;
    private final PrintStream log;
    private final Limits limits;
    private final ServerSocket server;
    private final ThreadPoolExecutor requests;
    /** Closes connections at their deadline and writes replies the run answered (both quick). */
    private final ScheduledThreadPoolExecutor timers;
    private final Thread acceptor;

    /** A plain-TCP endpoint with the default limits. */
    public ControlServer(ControlSettings settings, ControlToken token, ControlHandler handler, PrintStream log) {
        this(settings, token, handler, log, ServerSocketFactory.getDefault(), Limits.DEFAULT);
    }

    /**
     * Binds {@code settings.host():settings.port()} at once, so a taken port fails here; {@link #start} serves.
     *
     * @param sockets plain, or TLS ({@code SSLServerSocketFactory}): then every client must present a certificate
     *     the factory's context trusts
     */
    public ControlServer(ControlSettings settings, ControlToken token, ControlHandler handler, PrintStream log, ServerSocketFactory sockets,
                         Limits limits) {
        this.settings = settings;
        this.token = token;
        this.handler = handler;
        this.log = log;
        this.limits = limits;
        ServerSocket bound = null;
        try {
            bound = sockets.createServerSocket();
            if (bound instanceof SSLServerSocket tls) {
                tls.setNeedClientAuth(true);
            }
            bound.bind(new InetSocketAddress(settings.host(), settings.port()));
        } catch (IOException e) {
            if (bound != null) {
                closeQuietly(bound);
            }
            throw new UncheckedIOException("cannot bind the control endpoint to " + settings.host() + ":" + settings.port() + " ("
                    + e.getMessage() + "); set emend.control.port to a free port, or 0 for any", e);
        }
        server = bound;
        requests = new ThreadPoolExecutor(limits.threads(), limits.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(limits.queue()), daemonThreads("emend-control-"));
        timers = new ScheduledThreadPoolExecutor(1, daemonThreads("emend-control-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        // a run that answers after close() must not get an exception on its own thread from the reply's hand-off
        timers.setRejectedExecutionHandler(new ThreadPoolExecutor.DiscardPolicy());
        acceptor = daemonThreads("emend-control-accept-").newThread(this::acceptLoop);
    }

    public ControlServer start() {
        acceptor.start();
        return this;
    }

    /** The bound port (the chosen one when the settings asked for port 0). */
    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        closeQuietly(server);
        requests.shutdownNow();
        timers.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                continue;  // closed (the loop ends) or one failed accept
            }
            try {
                requests.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                // logged before the close, so whoever sees the connection end can already read why
                if (!requests.isShutdown()) {
                    log.printf(Locale.ROOT, "control: refused a connection from %s: %d requests are already waiting%n",
                            socket.getRemoteSocketAddress(), limits.queue());
                }
                closeQuietly(socket);
            }
        }
    }

    /** Reads one request within the deadline and answers it; the connection is closed here unless the run answers later. */
    private void serve(Socket socket) {
        ScheduledFuture<?> deadline = timers.schedule(() -> closeQuietly(socket), limits.requestDeadline().toMillis(), TimeUnit.MILLISECONDS);
        boolean answeredLater = false;
        try {
            socket.setSoTimeout((int) limits.requestDeadline().toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            HttpHead head = HttpHead.read(in);
            answeredLater = dispatch(socket, in, head, deadline);
        } catch (SSLException | HttpHead.Malformed e) {
            log.printf(Locale.ROOT, "control: refused a connection from %s: %s%n", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            // a client that went away or missed its deadline: nothing to answer
        } finally {
            if (!answeredLater) {
                deadline.cancel(false);
                closeQuietly(socket);
            }
        }
    }

    /** @return whether the reply comes later (the run answers asynchronously), so the connection stays open */
    private boolean dispatch(Socket socket, InputStream in, HttpHead head, ScheduledFuture<?> deadline) throws IOException {
        if (head.path().equals(HEALTH_PATH)) {
            if (head.method().equals("GET")) {
                sendText(socket, 200, "ok", Map.of());
            } else {
                sendText(socket, 405, "use GET " + HEALTH_PATH, Map.of("Allow", "GET"));
            }
        } else if (!head.path().equals(CONTROL_PATH)) {
            sendText(socket, 404, "no such endpoint; the control API is POST " + CONTROL_PATH, Map.of());
        } else if (!head.method().equals("POST")) {
            sendText(socket, 405, "use POST " + CONTROL_PATH + " with a ControlRequest (proto/emend/v1/control.proto)", Map.of("Allow", "POST"));
        } else {
            return control(socket, in, head, deadline);
        }
        linger(socket, in);
        return false;
    }

    private boolean control(Socket socket, InputStream in, HttpHead head, ScheduledFuture<?> deadline) throws IOException {
        Optional<ControlEncoding> requested = ControlEncoding.ofContentType(head.header("Content-Type").orElse(null));
        // the reply must be readable by whoever sent an unknown Content-Type, most likely a person with curl
        ControlEncoding encoding = requested.orElse(ControlEncoding.JSON);
        if (!authorized(head)) {
            // checked before any of the body is read: an unauthenticated client gets nothing parsed. The log names
            // where the attempt came from, never the presented token (it may be a real one meant for another run).
            log.printf(Locale.ROOT, "control: refused a request from %s: missing or wrong token%n", socket.getRemoteSocketAddress());
            sendReply(socket, encoding, reply(ControlReply.Code.UNAUTHORIZED, "missing or wrong token: send \"Authorization: Bearer "
                    + "<token>\" with the token from the run directory's " + ControlToken.FILE_NAME + " file (or emend.control.token "
                    + "when the run sets one)"), Map.of("WWW-Authenticate", "Bearer realm=\"emend\""));
            linger(socket, in);
            return false;
        }
        String refusal = bodyRefusal(head, requested);
        if (refusal != null) {
            sendReply(socket, encoding, reply(ControlReply.Code.BAD_REQUEST, refusal), Map.of());
            linger(socket, in);
            return false;
        }
        if (head.header("Expect").filter(e -> e.equalsIgnoreCase("100-continue")).isPresent()) {
            socket.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        int length = Integer.parseInt(head.header("Content-Length").orElseThrow());
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return false;  // the client went away mid-body
        }
        ControlRequest request;
        try {
            request = requested.orElseThrow().parseRequest(body);
        } catch (InvalidProtocolBufferException e) {
            sendReply(socket, encoding, reply(ControlReply.Code.BAD_REQUEST, "the body is not a ControlRequest in "
                    + requested.get().mediaType() + ": " + e.getMessage()), Map.of());
            return false;
        }
        if (request.getCommandCase() == ControlRequest.CommandCase.COMMAND_NOT_SET) {
            sendReply(socket, encoding, reply(ControlReply.Code.BAD_REQUEST,
                    "the request names no command (status, pause, resume, stop, checkpoint, set, scale or drain)"), Map.of());
            return false;
        }
        // the request is in: from here the wait is the run's, bounded by emend.control.timeout
        deadline.cancel(false);
        handle(socket, encoding, request);
        return true;
    }

    /** Why the body will not be read (its type or size), or null. */
    private static String bodyRefusal(HttpHead head, Optional<ControlEncoding> encoding) {
        if (encoding.isEmpty()) {
            return "Content-Type must be " + ControlEncoding.PROTOBUF.mediaType() + " or " + ControlEncoding.JSON.mediaType();
        }
        String length = head.header("Content-Length").orElse("");
        if (head.header("Transfer-Encoding").isPresent() || !length.matches("\\d{1,9}")) {
            return "send the body with a Content-Length (no chunked encoding)";
        }
        if (Integer.parseInt(length) > MAX_BODY_BYTES) {
            return "the body is over " + MAX_BODY_BYTES + " bytes";
        }
        return null;
    }

    /**
     * Answers when the handler's stage completes, on the server's timer thread, so a slow run holds no request
     * thread and socket writes never run on the run's own (actor) threads.
     */
    private void handle(Socket socket, ControlEncoding encoding, ControlRequest request) {
        CompletableFuture<ControlReply> answer;
        try {
            // a copy, so the timeout does not complete the handler's own future
            answer = handler.handle(request).toCompletableFuture().copy();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        long timeoutMillis = settings.timeout().toMillis();
        answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenCompleteAsync((reply, failure) -> {
            ControlReply sent = failure != null ? failed(unwrap(failure), timeoutMillis)
                    : reply != null ? reply : failed(new IllegalStateException("the handler completed without a reply"), timeoutMillis);
            if (!request.hasStatus() || sent.getCode() != ControlReply.Code.OK) {
                // an audit trail of who changed the run and how (the whole request: "set { key: ... value: ... }");
                // status polls would drown it
                log.printf(Locale.ROOT, "control: %s from %s: %s %s%n", AUDIT.printToString(request), socket.getRemoteSocketAddress(),
                        sent.getCode(), sent.getMessage());
            }
            try {
                sendReply(socket, encoding, sent, Map.of());
            } catch (IOException e) {
                log.printf(Locale.ROOT, "control: could not send the reply to %s: %s%n", socket.getRemoteSocketAddress(), e.getMessage());
            } finally {
                closeQuietly(socket);
            }
        }, timers);
    }

    private ControlReply failed(Throwable failure, long timeoutMillis) {
        if (failure instanceof TimeoutException) {
            return reply(ControlReply.Code.UNAVAILABLE, String.format(Locale.ROOT, "the run did not answer within %.1f s "
                    + "(emend.control.timeout); it may be busy with a step or a checkpoint, and a command may still take effect: "
                    + "check `emend ctl status` before sending it again", timeoutMillis / 1000.0));
        }
        return reply(ControlReply.Code.UNAVAILABLE, "the run failed to answer: " + failure);
    }

    private boolean authorized(HttpHead head) {
        String header = head.header("Authorization").orElse(null);
        String scheme = "Bearer ";
        return header != null && header.regionMatches(true, 0, scheme, 0, scheme.length())
                && token.matches(header.substring(scheme.length()).strip());
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static ControlReply reply(ControlReply.Code code, String message) {
        return ControlReply.newBuilder().setCode(code).setMessage(message).build();
    }

    /** The HTTP status that carries a reply code, so curl users and proxies see success and failure. */
    private static int httpStatus(ControlReply.Code code) {
        return switch (code) {
            case OK -> 200;
            case REFUSED -> 409;
            case UNAUTHORIZED -> 401;
            case UNAVAILABLE -> 503;
            case BAD_REQUEST -> 400;
            case CODE_UNSPECIFIED, UNRECOGNIZED -> 500;
        };
    }

    private static void sendReply(Socket socket, ControlEncoding encoding, ControlReply reply, Map<String, String> headers) throws IOException {
        send(socket, httpStatus(reply.getCode()), encoding.mediaType(), encoding.encode(reply), headers);
    }

    private static void sendText(Socket socket, int status, String text, Map<String, String> headers) throws IOException {
        send(socket, status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8), headers);
    }

    private static void send(Socket socket, int status, String contentType, byte[] body, Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        OutputStream out = socket.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    /**
     * Discards what the client still sends for a short while after an early reply: closing a socket with unread
     * input resets the connection, and the reset can overtake the reply on its way to the client.
     */
    private static void linger(Socket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            byte[] discard = new byte[4096];
            while (System.nanoTime() < end && in.read(discard) >= 0) {
                // nothing: the bytes are not wanted
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the client closed first, or stayed silent: either way the reply is out
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + count.incrementAndGet());
            // the endpoint must never keep a finished run's JVM alive
            t.setDaemon(true);
            return t;
        };
    }
}
