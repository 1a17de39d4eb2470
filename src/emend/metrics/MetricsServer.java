package emend.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a node's {@link MetricsRegistry} at {@code GET /metrics} for Prometheus to scrape (no token: the
 * figures say how a run goes, not what it trains on; bind it to a trusted interface all the same).
 */
public final class MetricsServer implements AutoCloseable {

    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Binds {@code host:port} (0: any free port) and serves at once.
     *
     * @throws UncheckedIOException naming the address and the setting when it cannot be bound
     */
    public MetricsServer(String host, int port, MetricsRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the metrics endpoint to " + host + ":" + port + " (" + e.getMessage()
                    + "); set emend.metrics.port to a free port, 0 for any, or -1 for none", e);
        }
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "emend-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> serve(exchange, registry));
        server.start();
    }

    /** The bound port (the chosen one when port 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, MetricsRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
