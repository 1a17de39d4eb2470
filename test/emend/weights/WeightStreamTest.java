package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

/** The learner's weight stream against a worker's fetch: whole versions, versions pushed, versions gone, and streams that fail. */
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

    /** A worker following a stream: what its listener heard, and how the stream ended. */
    private static final class Follower implements WeightStreamFetch.Listener, AutoCloseable {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final BlockingQueue<WeightAssembly> delivered = new LinkedBlockingQueue<>();
        final WeightStreamFetch fetch;
        final CompletableFuture<WeightStreamFetch.Result> ended;

        Follower(String address, WeightAssembly first) {
            fetch = new WeightStreamFetch(address, TIMEOUT, SocketFactory.getDefault());
            ended = CompletableFuture.supplyAsync(() -> fetch.follow(first, this));
        }

        @Override
        public void started(WeightAssembly assembly) {
            events.add("started " + assembly.manifest().getVersion());
        }

        @Override
        public void delivered(WeightAssembly assembly) {
            events.add("delivered " + assembly.manifest().getVersion());
            this.delivered.add(assembly);
        }

        WeightAssembly nextDelivered() throws InterruptedException {
            WeightAssembly assembly = delivered.poll(10, TimeUnit.SECONDS);
            assertNotNull(assembly, "nothing delivered in 10 s; heard: " + events);
            return assembly;
        }

        WeightStreamFetch.Result result() throws Exception {
            return ended.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            fetch.close();
        }
    }

    @Test
    void aWorkerReadsTheWholeVersion_andOnlyTheChunksItMisses() throws Exception {
        WeightPublication v3 = publication(3);
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0)) {
            server.publish(v3);
            WeightAssembly whole = new WeightAssembly(v3.manifest());
            try (Follower follower = new Follower(server.address(), whole)) {
                assertSame(whole, follower.nextDelivered());
                assertArrayEquals(BYTES, whole.bytes());
            }

            WeightAssembly partial = new WeightAssembly(v3.manifest());
            partial.accept(v3.chunk(0));
            partial.accept(v3.chunk(1));
            try (Follower follower = new Follower(server.address(), partial)) {
                assertSame(partial, follower.nextDelivered());
                assertArrayEquals(BYTES, partial.bytes());
                assertEquals(List.of("delivered 3"), List.copyOf(follower.events));
            }
        }
    }

    @Test
    void aFollowedStreamBringsEachVersionAsItIsPublished_untilTheServerCloses() throws Exception {
        WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0);
        server.publish(publication(3));
        try (Follower follower = new Follower(server.address(), new WeightAssembly(publication(3).manifest()))) {
            follower.nextDelivered();
            byte[] other = BYTES.clone();
            other[4_499] ^= 1;
            WeightPublication v4 = new WeightPublication(4, other, 1_000, "{}");
            server.publish(v4);
            WeightAssembly pushed = follower.nextDelivered();
            assertEquals(v4.manifest(), pushed.manifest(), "the learner's manifest came with the version");
            assertArrayEquals(other, pushed.bytes());
            assertEquals(List.of("delivered 3", "started 4", "delivered 4"), List.copyOf(follower.events));

            server.publish(publication(5));
            server.publish(publication(6));
            WeightAssembly newest = follower.nextDelivered();
            if (newest.manifest().getVersion() == 5) {
                newest = follower.nextDelivered(); // version 5 went out whole before 6 replaced it
            }
            assertEquals(6, newest.manifest().getVersion());
            assertArrayEquals(BYTES, newest.bytes());

            server.close();
            WeightStreamFetch.Result result = follower.result();
            assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
            assertTrue(result.problem().contains("closed"), result.problem());
        }
    }

    @Test
    void aVersionTheLearnerNoLongerHoldsIsSkippedForTheOneItHolds() throws Exception {
        WeightPublication v3 = publication(3);
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0)) {
            server.publish(publication(4));
            WeightAssembly assembly = new WeightAssembly(v3.manifest());
            try (Follower follower = new Follower(server.address(), assembly)) {
                assertEquals(4, follower.nextDelivered().manifest().getVersion());
                assertFalse(assembly.complete());
                assertEquals(List.of("started 4", "delivered 4"), List.copyOf(follower.events));
            }
        }
    }

    @Test
    void closingTheFetchEndsAStreamThatWaitsForTheNextVersion() throws Exception {
        try (WeightStreamServer server = new WeightStreamServer("127.0.0.1", 0)) {
            server.publish(publication(3));
            Follower follower = new Follower(server.address(), new WeightAssembly(publication(3).manifest()));
            follower.nextDelivered();
            follower.close();
            assertEquals(WeightStreamFetch.Ending.INCOMPLETE, follower.result().ending());
        }
    }

    @Test
    void aCorruptedChunkAndAStreamCutShortLeaveThoseChunksMissing() throws Exception {
        WeightPublication v3 = publication(3);
        WeightAssembly assembly = new WeightAssembly(v3.manifest());
        // a learner that flips a bit of chunk 1 and drops the connection before chunk 4
        WeightStreamFetch.Result result = fetchFromAFaultyLearner(assembly, out -> writeChunks(out, v3, 4, 1));
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

    @Test
    void aVersionWhoseChunksDoNotAllMatchEndsTheStreamWithoutWaitingForItsEnd() throws Exception {
        WeightPublication v3 = publication(3);
        WeightAssembly assembly = new WeightAssembly(v3.manifest());
        // every chunk sent once, chunk 2 with a bit flipped, and the connection kept open: nothing more is coming
        WeightStreamFetch.Result result = fetchFromAFaultyLearner(assembly, out -> writeChunks(out, v3, 5, 2), true);
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, result.ending());
        assertTrue(result.problem().contains("1 chunks of version 3 did not match"), result.problem());
        assertEquals(2, assembly.nextMissing(0));
        assertEquals(-1, assembly.nextMissing(3));
    }

    @Test
    void aPushedManifestThatDoesNotHoldTogetherOrAChunkWhereAManifestIsDueEndsTheStream() throws Exception {
        WeightPublication v3 = publication(3);
        WeightPublication v4 = publication(4);
        WeightManifest forged = v4.manifest().toBuilder().setSha256("00").build();
        WeightStreamFetch.Result badManifest = fetchFromAFaultyLearner(new WeightAssembly(v3.manifest()), out -> {
            for (int i = 0; i < 5; i++) {
                v3.chunk(i).writeDelimitedTo(out);
            }
            WeightChunk.newBuilder().setVersion(4).setManifest(forged).build().writeDelimitedTo(out);
        }, true);
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, badManifest.ending());
        assertTrue(badManifest.problem().contains("do not hash to its sha256"), badManifest.problem());

        WeightStreamFetch.Result strayChunk = fetchFromAFaultyLearner(new WeightAssembly(v3.manifest()), out -> {
            for (int i = 0; i < 5; i++) {
                v3.chunk(i).writeDelimitedTo(out);
            }
            v4.chunk(0).writeDelimitedTo(out);
        }, true);
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, strayChunk.ending());
        assertTrue(strayChunk.problem().contains("where a version's manifest was due"), strayChunk.problem());

        // a version of another model (here twice the bytes): refused before 9,000 bytes are set aside for it
        WeightPublication larger = new WeightPublication(4, new byte[9_000], 1_000, "{}");
        WeightStreamFetch.Result otherShape = fetchFromAFaultyLearner(new WeightAssembly(v3.manifest()), out -> {
            writeChunks(out, v3, 5, -1);
            WeightChunk.newBuilder().setVersion(4).setManifest(larger.manifest()).build().writeDelimitedTo(out);
        }, true);
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, otherShape.ending());
        assertTrue(otherShape.problem().contains("as 9000 bytes in 9 chunks"), otherShape.problem());
    }

    @Test
    void aVersionCutShortIsFollowedAtOnce_orTheStreamEndsAfterOneReadTimeout() throws Exception {
        WeightPublication v3 = publication(3);
        // two chunks of version 3, "gone" for it, and then nothing while the connection stays open: the newer version
        // was due at once, so the read after it has the read timeout (between versions a read may wait for a step)
        WeightStreamFetch.Result stalled = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fetchFromAFaultyLearner(
                new WeightAssembly(v3.manifest()), out -> {
                    writeChunks(out, v3, 2, -1);
                    WeightChunk.newBuilder().setVersion(3).setIndex(2).setGone(true).build().writeDelimitedTo(out);
                }, true, Duration.ofMillis(300)));
        assertEquals(WeightStreamFetch.Ending.INCOMPLETE, stalled.ending());
        assertTrue(stalled.problem().contains("SocketTimeoutException"), stalled.problem());
    }

    /** Writes chunks 0 to {@code count - 1} of {@code publication} as the learner does, with a bit of chunk {@code flipped} (-1: none) inverted. */
    private static void writeChunks(OutputStream out, WeightPublication publication, int count, int flipped) throws IOException {
        for (int i = 0; i < count; i++) {
            WeightChunk chunk = publication.chunk(i);
            if (i == flipped) {
                byte[] data = chunk.getData().toByteArray();
                data[7] ^= 0x01;
                chunk = chunk.toBuilder().setData(ByteString.copyFrom(data)).build();
            }
            chunk.writeDelimitedTo(out);
        }
    }

    private interface Writing<T> {
        void to(T out) throws IOException;
    }

    /**
     * Follows a one-connection learner that reads the request (which asks to follow), then writes what {@code serving}
     * does, then closes the connection, or with {@code holdOpen} keeps it until the worker's fetch has ended.
     */
    private static WeightStreamFetch.Result fetchFromAFaultyLearner(WeightAssembly assembly, Writing<OutputStream> serving, boolean holdOpen)
            throws IOException {
        return fetchFromAFaultyLearner(assembly, serving, holdOpen, TIMEOUT);
    }

    private static WeightStreamFetch.Result fetchFromAFaultyLearner(WeightAssembly assembly, Writing<OutputStream> serving, boolean holdOpen,
                                                                    Duration timeout) throws IOException {
        try (ServerSocket faulty = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<WeightStreamFetch.Result> ended = new CompletableFuture<>();
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = faulty.accept(); OutputStream out = socket.getOutputStream()) {
                    assertTrue(WeightChunkRequest.parseDelimitedFrom(socket.getInputStream()).getFollow());
                    serving.to(out);
                    out.flush();
                    if (holdOpen) {
                        ended.join();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            WeightStreamFetch fetch = new WeightStreamFetch("127.0.0.1:" + faulty.getLocalPort(), timeout, SocketFactory.getDefault());
            WeightStreamFetch.Result result = fetch.follow(assembly, new WeightStreamFetch.Listener() {
                @Override
                public void started(WeightAssembly pushed) {}

                @Override
                public void delivered(WeightAssembly whole) {}
            });
            ended.complete(result);
            served.join();
            return result;
        }
    }

    private static WeightStreamFetch.Result fetchFromAFaultyLearner(WeightAssembly assembly, Writing<OutputStream> serving) throws IOException {
        return fetchFromAFaultyLearner(assembly, serving, false);
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
        try (Follower refused = new Follower("127.0.0.1:" + closedPort, assembly); Follower malformed = new Follower("no-port", assembly)) {
            WeightStreamFetch.Result result = refused.result();
            assertEquals(WeightStreamFetch.Ending.UNREACHABLE, result.ending());
            assertTrue(result.problem().contains("Connection refused"), result.problem());
            assertEquals(WeightStreamFetch.Ending.UNREACHABLE, malformed.result().ending());
        }
    }
}
