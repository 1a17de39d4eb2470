package emend.control;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP endpoint {@code emend ctl} talks to: {@code POST /v1/control} with a {@link ControlRequest} (binary
 * protobuf or JSON) and a bearer token, answered with a {@link ControlReply} in the same encoding; and
 * {@code GET /v1/health} without a token, for load balancers. The JDK's server keeps Emend free of another
 * dependency; the traffic is a few small requests.
 */
public final class ControlServer implements AutoCloseable {

    static final String CONTROL_PATH = "/v1/control";
    private static final String HEALTH_PATH = "/v1/health";

    // A control request is a few dozen bytes; the cap keeps a stray upload from filling the heap.
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int THREADS = 2;
    private static final TextFormat.Printer AUDIT = TextFormat.printer().emittingSingleLine(true);

    private final ControlSettings settings;
    private final ControlToken token;
    private final ControlHandler handler;
    private final PrintStream log;
    private final HttpServer server;
    private final ExecutorService executor;

    /** Binds {@code settings.host():settings.port()} at once, so a taken port fails here; {@link #start} serves. */
    public ControlServer(ControlSettings settings, ControlToken token, ControlHandler handler, PrintStream log) {
        this.settings = settings;
        this.token = token;
        this.handler = handler;
        this.log = log;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the control endpoint to " + settings.host() + ":" + settings.port() + " ("
                    + e.getMessage() + "); set emend.control.port to a free port, or 0 for any", e);
        }
        executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
        server.setExecutor(executor);
        // one context for every path: the JDK matches contexts by prefix, and /v1/control/x must be a 404
        server.createContext("/", this::dispatch);
    }

    public ControlServer start() {
        server.start();
        return this;
    }

    /** The bound port (the chosen one when the settings asked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals(HEALTH_PATH)) {
            if (method.equals("GET")) {
                sendText(exchange, 200, "ok");
            } else {
                exchange.getResponseHeaders().set("Allow", "GET");
                sendText(exchange, 405, "use GET " + HEALTH_PATH);
            }
        } else if (path.equals(CONTROL_PATH)) {
            if (method.equals("POST")) {
                control(exchange);
            } else {
                exchange.getResponseHeaders().set("Allow", "POST");
                sendText(exchange, 405, "use POST " + CONTROL_PATH + " with a ControlRequest (proto/emend/v1/control.proto)");
            }
        } else {
            sendText(exchange, 404, "no such endpoint; the control API is POST " + CONTROL_PATH);
        }
    }

    private void control(HttpExchange exchange) throws IOException {
        Optional<ControlEncoding> requested = ControlEncoding.ofContentType(exchange.getRequestHeaders().getFirst("Content-Type"));
        // the reply must be readable by whoever sent an unknown Content-Type, most likely a person with curl
        ControlEncoding encoding = requested.orElse(ControlEncoding.JSON);
        // parsed before the token check only so the log can name what an unauthorised caller tried
        Parsed parsed = parse(requested, exchange);
        if (!authorized(exchange)) {
            // the log names who tried what, never the presented token (it may be a real one meant for another run)
            log.printf(Locale.ROOT, "control: refused %s from %s: missing or wrong token%n", parsed.request() == null ? "an unreadable request"
                    : parsed.request().getCommandCase().name().toLowerCase(Locale.ROOT), exchange.getRemoteAddress());
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"emend\"");
            sendReply(exchange, encoding, reply(ControlReply.Code.UNAUTHORIZED, "missing or wrong token: send \"Authorization: Bearer "
                    + "<token>\" with the token from the run directory's " + ControlToken.FILE_NAME + " file (or emend.control.token "
                    + "when the run sets one)"));
        } else if (parsed.error() != null) {
            sendReply(exchange, encoding, reply(ControlReply.Code.BAD_REQUEST, parsed.error()));
        } else {
            handle(exchange, encoding, parsed.request());
        }
    }

    /** A request naming a command, or why there is none. */
    private record Parsed(ControlRequest request, String error) {}

    private static Parsed parse(Optional<ControlEncoding> encoding, HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (encoding.isEmpty()) {
            return new Parsed(null, "Content-Type must be " + ControlEncoding.PROTOBUF.mediaType() + " or " + ControlEncoding.JSON.mediaType());
        }
        if (body.length > MAX_BODY_BYTES) {
            return new Parsed(null, "the body is over " + MAX_BODY_BYTES + " bytes");
        }
        ControlRequest request;
        try {
            request = encoding.get().parseRequest(body);
        } catch (InvalidProtocolBufferException e) {
            return new Parsed(null, "the body is not a ControlRequest in " + encoding.get().mediaType() + ": " + e.getMessage());
        }
        if (request.getCommandCase() == ControlRequest.CommandCase.COMMAND_NOT_SET) {
            return new Parsed(null, "the request names no command (status, pause, resume, stop, checkpoint, set, scale or drain)");
        }
        return new Parsed(request, null);
    }

    /**
     * Answers when the handler's stage completes, on the server's own threads, so a slow run neither holds a server
     * thread nor gets socket writes run on its own (actor) threads.
     */
    private void handle(HttpExchange exchange, ControlEncoding encoding, ControlRequest request) {
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
                log.printf(Locale.ROOT, "control: %s from %s: %s %s%n", AUDIT.printToString(request), exchange.getRemoteAddress(),
                        sent.getCode(), sent.getMessage());
            }
            try {
                sendReply(exchange, encoding, sent);
            } catch (IOException e) {
                log.printf(Locale.ROOT, "control: could not send the reply to %s: %s%n", exchange.getRemoteAddress(), e.getMessage());
            }
        }, executor);
    }

    private ControlReply failed(Throwable failure, long timeoutMillis) {
        if (failure instanceof TimeoutException) {
            return reply(ControlReply.Code.UNAVAILABLE, String.format(Locale.ROOT, "the run did not answer within %.1f s "
                    + "(emend.control.timeout); it may be busy with a step or a checkpoint, and a command may still take effect: "
                    + "check `emend ctl status` before sending it again", timeoutMillis / 1000.0));
        }
        return reply(ControlReply.Code.UNAVAILABLE, "the run failed to answer: " + failure);
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
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

    private static void sendReply(HttpExchange exchange, ControlEncoding encoding, ControlReply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", encoding.mediaType());
        send(exchange, httpStatus(reply.getCode()), encoding.encode(reply));
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, "emend-control-" + count.incrementAndGet());
            // the endpoint must never keep a finished run's JVM alive
            t.setDaemon(true);
            return t;
        };
    }
}
