package emend.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline weight publication is compared with: the same bytes copied to concurrent readers over loopback
 * sockets, each reader hashing what it reads (as workers check what they fetch).
 */
public final class LoopbackCopy {

    private LoopbackCopy() {}

    /** Seconds to copy {@code bytes} to {@code readers} concurrent loopback sockets. */
    public static double seconds(int bytes, int readers) {
        byte[] payload = new byte[bytes];
        try (ServerSocket server = new ServerSocket(0, readers, InetAddress.getLoopbackAddress())) {
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            long start = System.nanoTime();
            for (int r = 0; r < readers; r++) {
                reads.add(CompletableFuture.runAsync(() -> read(server.getLocalPort(), bytes)));
            }
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                Socket socket = server.accept();
                writes.add(CompletableFuture.runAsync(() -> write(socket, payload)));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
            return (System.nanoTime() - start) / 1e9;
        } catch (IOException e) {
            throw new UncheckedIOException("loopback socket baseline failed", e);
        }
    }

    private static void write(Socket socket, byte[] payload) {
        try (socket; OutputStream out = socket.getOutputStream()) {
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void read(int port, int bytes) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port); InputStream in = socket.getInputStream()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                total += n;
            }
            sha.digest();
            if (total != bytes) {
                throw new IllegalStateException("read " + total + " of " + bytes + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
