package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import emend.proto.WeightChunkRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The learner's weight stream against a worker's fetch: whole versions, versions gone, and streams that fail. */
final class WeightStreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final byte[] BYTES = new byte[4_500];

    static {
        new SplittableRandom(3).nextBytes(BYTES);
    }

    /** Version {@code version} of {@link #BYTES} in 1,000-byte chunks: 5 of them. */
    private static WeightPublication publication(long version) {
        return new WeightPublication(version, BYTES, 1_000, "{}");
    }

    @Test
    void aWorkerReadsTheWholeVersion_andOnlyTheChunksItMisses() {
        WeightPublication v3 = publication(3);
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0)) {
            server.publish(v3);
            WeightAssembly whole = new WeightAssembly(v3.manifest());
            assertEquals(WeightStreamFetch.Ending.COMPLETE, WeightStreamFetch.fetch(server.address(), whole, TIMEOUT).ending());
            assertArrayEquals(BYTES, whole.bytes());

            WeightAssembly partial = new WeightAssembly(v3.manifest());
            partial.accept(v3.chunk(0));
            partial.accept(v3.chunk(1));
            assertEquals(WeightStreamFetch.Ending.COMPLETE, WeightStreamFetch.fetch(server.address(), partial, TIMEOUT).ending());
            assertArrayEquals(BYTES, partial.bytes());
        }
    }

    @Test
    void aVersionTheLearnerNoLongerHoldsIsGone() {
        WeightPublication v3 = publication(3);
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0)) {
            server.publish(publication(4));
            WeightAssembly assembly = new WeightAssembly(v3.manifest());
            assertEquals(WeightStreamFetch.Ending.GONE, WeightStreamFetch.fetch(server.address(), assembly, TIMEOUT).ending());
            assertFalse(assembly.complete());
        }
    }

    @Test
    void aCorruptedChunkAndAStreamCutShortLeaveThoseChunksMissing() throws Exception {
        WeightPublication v3 = publication(3);
        // a learner that flips a bit of chunk 1 and drops the connection before chunk 4
        try (ServerSocket faulty = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = faulty.accept(); OutputStream out = socket.getOutputStream()) {
                    WeightChunkRequest.parseDelimitedFrom(socket.getInputStream());
                    for (int i = 0; i < 4; i++) {
                        var chunk = v3.chunk(i);
                        if (i == 1) {
                            byte[] data = chunk.getData().toByteArray();
                            data[7] ^= 0x01;
                            chunk = chunk.toBuilder().setData(ByteString.copyFrom(data)).build();
                        }
                        chunk.writeDelimitedTo(out);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            WeightAssembly assembly = new WeightAssembly(v3.manifest());
            WeightStreamFetch.Result result = WeightStreamFetch.fetch("127.0.0.1:" + faulty.getLocalPort(), assembly, TIMEOUT);
            served.join();
            assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
            assertEquals(1, result.corruptedChunks());
            assertEquals(1, assembly.nextMissing(0), "the corrupted chunk is missing");
            assertEquals(4, assembly.nextMissing(2), "and the one never sent");
            assertEquals(-1, assembly.nextMissing(5));
        }
    }

    @Test
    void closingTheServerEndsAStreamToAWorkerThatStoppedReading() throws Exception {
        // 32 MB: more than the socket buffers hold, so the server blocks writing to a reader that reads nothing
        WeightPublication big = new WeightPublication(9, new byte[32 << 20], 1 << 20, "{}");
        WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0);
        server.publish(big);
        int colon = server.address().lastIndexOf(':');
        try (Socket worker = new Socket(server.address().substring(0, colon), Integer.parseInt(server.address().substring(colon + 1)))) {
            WeightChunkRequest.newBuilder().setVersion(9).setIndex(0).build().writeDelimitedTo(worker.getOutputStream());
            // the server is mid-stream once data waits unread here (32 MB cannot fit the buffers: it blocks writing)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (worker.getInputStream().available() < 1 << 16 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(worker.getInputStream().available() >= 1 << 16, "the server never started streaming");
            server.close();
            worker.setSoTimeout(5_000);
            byte[] buffer = new byte[1 << 16];
            long received = 0;
            try {
                for (int n; (n = worker.getInputStream().read(buffer)) >= 0; ) {
                    received += n; // what the socket buffers held at the close
                }
            } catch (IOException e) {
                // reset by the closing server
            }
            assertTrue(received < 32 << 20, "the stream went on after the server closed: " + received + " bytes");
        }
    }

    @Test
    void aLearnerThatCannotBeReachedIsReportedNotThrown() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        WeightAssembly assembly = new WeightAssembly(publication(3).manifest());
        WeightStreamFetch.Result result = WeightStreamFetch.fetch("127.0.0.1:" + closedPort, assembly, TIMEOUT);
        assertEquals(WeightStreamFetch.Ending.UNREACHABLE, result.ending());
        assertTrue(result.problem().contains("Connection refused"), result.problem());
        assertEquals(WeightStreamFetch.Ending.UNREACHABLE, WeightStreamFetch.fetch("no-port", assembly, TIMEOUT).ending());
    }
}
