package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import emend.proto.WeightChunkRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
        WeightAssembly assembly = new WeightAssembly(v3.manifest());
        // a learner that flips a bit of chunk 1 and drops the connection before chunk 4
        WeightStreamFetch.Result result = fetchFromAFaultyLearner(assembly, out -> {
            for (int i = 0; i < 4; i++) {
                var chunk = v3.chunk(i);
                if (i == 1) {
                    byte[] data = chunk.getData().toByteArray();
                    data[7] ^= 0x01;
                    chunk = chunk.toBuilder().setData(ByteString.copyFrom(data)).build();
                }
                chunk.writeDelimitedTo(out);
            }
        });
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
        assertEquals(1, result.corruptedChunks());
        assertEquals(1, assembly.nextMissing(0), "the corrupted chunk is missing");
        assertEquals(4, assembly.nextMissing(2), "and the one never sent");
        assertEquals(-1, assembly.nextMissing(5));
    }

    @Test
    void unknownFieldsAreSkipped_andAFrameWithItsIndexAfterItsDataIsRefused() throws Exception {
        WeightPublication v3 = publication(3);
        byte[] chunk0 = v3.chunk(0).getData().toByteArray();
        byte[] chunk1 = v3.chunk(1).getData().toByteArray();
        WeightAssembly assembly = new WeightAssembly(v3.manifest());
        WeightStreamFetch.Result result = fetchFromAFaultyLearner(assembly, out -> {
            // chunk 0 (index 0 is omitted, as protobuf does) with two fields this build does not know
            writeFrame(out, frame -> {
                frame.writeInt64(1, 3);
                frame.writeUInt64(9, 77);
                frame.writeByteArray(10, "later field".getBytes(StandardCharsets.UTF_8));
                frame.writeByteArray(3, chunk0);
            });
            // chunk 1 with its data first: where it goes is not known when it arrives
            writeFrame(out, frame -> {
                frame.writeByteArray(3, chunk1);
                frame.writeInt64(1, 3);
                frame.writeInt32(2, 1);
            });
        });
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
        assertTrue(result.problem().contains("after its data"), result.problem());
        assertEquals(1, assembly.nextMissing(0), "chunk 0 is in, checked against its digest; chunk 1 is not");
    }

    @Test
    void aStreamCutInsideAChunksDataLeavesThatChunkMissing() throws Exception {
        WeightPublication v3 = publication(3);
        WeightAssembly assembly = new WeightAssembly(v3.manifest());
        WeightStreamFetch.Result result = fetchFromAFaultyLearner(assembly, out -> {
            v3.chunk(0).writeDelimitedTo(out);
            byte[] whole = v3.chunk(1).toByteArray();
            CodedOutputStream prefix = CodedOutputStream.newInstance(out);
            prefix.writeUInt32NoTag(whole.length);
            prefix.flush();
            out.write(whole, 0, whole.length / 2);   // then the connection closes
        });
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
        assertTrue(result.problem().contains("inside chunk 1"), result.problem());
        assertEquals(1, assembly.nextMissing(0), "chunk 0 is in, chunk 1 is not");
    }

    private interface Writing<T> {
        void to(T out) throws IOException;
    }

    /** Fetches {@code assembly} from a one-connection learner that reads the request, then writes what {@code serving} does. */
    private static WeightStreamFetch.Result fetchFromAFaultyLearner(WeightAssembly assembly, Writing<OutputStream> serving) throws IOException {
        try (ServerSocket faulty = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = faulty.accept(); OutputStream out = socket.getOutputStream()) {
                    WeightChunkRequest.parseDelimitedFrom(socket.getInputStream());
                    serving.to(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            WeightStreamFetch.Result result = WeightStreamFetch.fetch("127.0.0.1:" + faulty.getLocalPort(), assembly, TIMEOUT);
            served.join();
            return result;
        }
    }

    /** One length-delimited frame of the fields {@code fields} writes, in the order it writes them. */
    private static void writeFrame(OutputStream out, Writing<CodedOutputStream> fields) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        CodedOutputStream frame = CodedOutputStream.newInstance(body);
        fields.to(frame);
        frame.flush();
        CodedOutputStream prefix = CodedOutputStream.newInstance(out);
        prefix.writeUInt32NoTag(body.size());
        prefix.flush();
        body.writeTo(out);
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
