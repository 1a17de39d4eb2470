package emend.weights;

import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLServerSocket;

/**
 * The learner's weight stream: a TCP (or, in a TLS cluster, TLS) socket that sends a published version's chunks back to back, as
 * length-delimited {@link WeightChunk} messages, to a worker that asked with one {@link WeightChunkRequest} (its
 * {@code index}: the first chunk wanted; all later ones follow). A worker that asked to {@code follow} keeps the
 * connection: each version published later is pushed to it as soon as it is published, a frame with its manifest first,
 * so that a new version is on its way before its announcement reaches the worker. Workers on other nodes fetch this way
 * instead of one Artery message per chunk (measured, 49 MB to two workers: 0.18-0.20 s for a whole publication against
 * 0.31-0.34 s over Artery). The manifest (announced over Artery) names this stream and carries the chunk digests
 * every chunk is checked against.
 */
public final class WeightStreamServer implements AutoCloseable {

    /** A request not written in this time ends the connection (a port scanner, a worker that hung). */
    private static final int REQUEST_TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final ExecutorService connections;
    /** Open connections, closed with the server: a write to a worker that stopped reading blocks until then. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Guards the wait of followed streams for the next publication; notified at each publication and at the close. */
    private final Object publications = new Object();
    private volatile WeightPublication current;
    private volatile boolean closed;

    /** A plain-TCP stream on {@code host} at {@code port} (0: any free port). */
    public WeightStreamServer(String host, int port) {
        this(host, port, ServerSocketFactory.getDefault());
    }

    /**
     * Listens on {@code host} at {@code port} (0: any free port).
     *
     * @param sockets plain, or TLS: then a worker must present a certificate the factory's context trusts
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public WeightStreamServer(String host, int port, ServerSocketFactory sockets) {
        try {
            server = sockets.createServerSocket();
            if (server instanceof SSLServerSocket tls) {
                tls.setNeedClientAuth(true);
            }
            server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new UncheckedIOException("the weight stream could not listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose a free port with emend.runtime.weight-stream-port, or 0 for any free one", e);
        }
        AtomicInteger threads = new AtomicInteger();
        connections = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "emend-weight-stream-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Thread acceptor = new Thread(this::acceptLoop, "emend-weight-stream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code host:port} as workers reach it. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** Serves {@code publication} from now on; a stream of an older version still running stops at its next chunk. */
    public void publish(WeightPublication publication) {
        synchronized (publications) {
            current = publication;
            publications.notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (publications) {
            closed = true;
            publications.notifyAll();
        }
        closeQuietly(server);
        // an interrupt does not end a blocked socket write: closing the socket does
        open.forEach(WeightStreamServer::closeQuietly);
        connections.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                try {
                    connections.execute(() -> serve(socket));
                } catch (RejectedExecutionException e) {
                    closeQuietly(socket); // accepted as the server closed
                    return;
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                pause(); // out of file descriptors, say: the worker's connect times out and it falls back to Artery
            }
        }
    }

    private void serve(Socket socket) {
        open.add(socket);
        try (socket; InputStream in = socket.getInputStream();
             OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16)) {
            socket.setSoTimeout(REQUEST_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            WeightChunkRequest request = WeightChunkRequest.parseDelimitedFrom(in);
            if (request == null) {
                return;
            }
            WeightPublication sent = stream(request, out);
            if (request.getFollow()) {
                follow(sent, out);
            }
        } catch (IOException e) {
            // a worker that went away mid-stream, a malformed request, or the server closing: nothing to clean up
        } finally {
            open.remove(socket);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing is left to release: it is closed either way
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the version asked for from its requested chunk on; returns it, or null when it is no longer served. */
    private WeightPublication stream(WeightChunkRequest request, OutputStream out) throws IOException {
        WeightPublication publication = current;
        if (publication == null || publication.version() != request.getVersion()) {
            gone(request.getVersion(), request.getIndex()).writeDelimitedTo(out);
            out.flush();
            return null;
        }
        chunks(publication, Math.max(0, request.getIndex()), out);
        return publication;
    }

    /** Pushes every version published after {@code last}, each as its manifest and then its chunks, until the close. */
    private void follow(WeightPublication last, OutputStream out) throws IOException {
        for (WeightPublication next = newerThan(last); next != null; next = newerThan(next)) {
            WeightChunk.newBuilder().setVersion(next.version()).setManifest(next.manifest()).build().writeDelimitedTo(out);
            chunks(next, 0, out);
        }
    }

    /** Waits for a publication other than {@code last} (versions replace each other in order); null once closed. */
    private WeightPublication newerThan(WeightPublication last) {
        synchronized (publications) {
            while (!closed && (current == null || current == last)) {
                try {
                    publications.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null; // the server is shutting its connections down
                }
            }
            return closed ? null : current;
        }
    }

    /** Sends chunks {@code from} on of {@code publication}, or stops with a "gone" frame when a newer version comes out. */
    private void chunks(WeightPublication publication, int from, OutputStream out) throws IOException {
        int count = publication.manifest().getChunkCount();
        for (int index = from; index < count; index++) {
            if (current != publication) {
                // a newer version is out: this one is of no use to the worker any more
                gone(publication.version(), index).writeDelimitedTo(out);
                break;
            }
            // protobuf writes a large bytes field straight from the publication's array to the socket, no copy
            publication.chunk(index).writeDelimitedTo(out);
        }
        out.flush();
    }

    private static WeightChunk gone(long version, int index) {
        return WeightChunk.newBuilder().setVersion(version).setIndex(index).setGone(true).build();
    }
}
