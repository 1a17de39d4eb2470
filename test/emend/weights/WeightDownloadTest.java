package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class WeightDownloadTest {

    /** 20 chunks of 8 bytes: more than the request window. */
    private static WeightPublication publication(long version) {
        byte[] bytes = new byte[160];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + version);
        }
        return new WeightPublication(version, bytes, 8, "{}");
    }

    private static WeightManifest streamed(WeightPublication publication, String address) {
        return publication.manifest().toBuilder().setStreamAddress(address).build();
    }

    @Test
    void aNewLearnersVersionIsTakenAsItIs_whileTheSameLearnersOldAnnouncementsAreNot() {
        WeightDownload download = new WeightDownload();
        assertEquals(-1, download.newest());
        download.restart(publication(5).manifest());
        download.offer(publication(3).manifest(), null);
        assertEquals(5, download.newest(), "a late announcement of an older version");
        download.restart(publication(2).manifest());
        assertEquals(2, download.newest(), "a new learner counts its own versions");
        download.offer(publication(4).manifest(), null);
        assertEquals(4, download.newest());
    }

    @Test
    void overMessagesAWindowOfRequestsIsKeptInFlightUntilTheVersionIsWhole() {
        WeightPublication v1 = publication(1);
        WeightDownload download = new WeightDownload();
        download.restart(v1.manifest());
        WeightDownload.Request first = assertInstanceOf(WeightDownload.Request.class, download.begin());
        assertEquals(IntStream.range(0, WeightDownload.WINDOW).boxed().toList(), first.indices());
        assertTrue(first.newRound());
        WeightDownload.Step step = null;
        for (int i = 0; i < 20; i++) {
            step = download.chunkArrived(v1.chunk(i));
            if (i < 3) {
                assertEquals(List.of(WeightDownload.WINDOW + i), ((WeightDownload.Request) step).indices(), "each stored chunk asks for the next one");
            }
        }
        WeightDownload.Load load = assertInstanceOf(WeightDownload.Load.class, step);
        assertEquals(1, load.manifest().getVersion());
        assertEquals(160, load.bytes().length);
        assertTrue(download.fetchingOverMessages().isEmpty());
    }

    @Test
    void aCorruptedChunkIsAskedForAgainAndALostOneOnTheRetry() {
        WeightPublication v1 = publication(1);
        WeightDownload download = new WeightDownload();
        download.restart(v1.manifest());
        download.begin();
        WeightChunk corrupted = v1.chunk(2).toBuilder().setData(ByteString.copyFrom(new byte[8])).build();
        WeightDownload.Request again = assertInstanceOf(WeightDownload.Request.class, download.chunkArrived(corrupted));
        assertEquals(List.of(2), again.indices());
        assertTrue(again.warning().contains("SHA-256"));
        assertEquals(1, download.corruptedChunks());
        download.chunkArrived(v1.chunk(0));
        WeightDownload.Request retry = assertInstanceOf(WeightDownload.Request.class, download.askAgain());
        List<Integer> expected = IntStream.range(1, WeightDownload.WINDOW + 1).boxed().toList();
        assertEquals(expected, retry.indices(), "every requested chunk not yet in (chunk 16 was requested when chunk 0 arrived)");
    }

    @Test
    void aGoneChunkRestartsOnTheNewerVersionOnlyOnceItIsKnown() {
        WeightPublication v1 = publication(1);
        WeightPublication v2 = publication(2);
        WeightDownload download = new WeightDownload();
        download.restart(v1.manifest());
        download.begin();
        WeightChunk gone = WeightChunk.newBuilder().setVersion(1).setIndex(0).setGone(true).build();
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(gone), "no newer version announced yet: wait");
        download.offer(v2.manifest(), null);
        WeightDownload.Request restart = assertInstanceOf(WeightDownload.Request.class, download.chunkArrived(gone));
        assertEquals(2, restart.version());
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(v1.chunk(0)), "a chunk of the version dropped is ignored");
    }

    @Test
    void anUnreachableStreamFallsBackToMessagesAndIsSkippedAfterwards() {
        WeightDownload download = new WeightDownload();
        download.restart(streamed(publication(1), "10.0.0.9:7000"));
        WeightDownload.Stream stream = assertInstanceOf(WeightDownload.Stream.class, download.begin());
        assertEquals("10.0.0.9:7000", stream.address());
        assertTrue(download.fetchingOverMessages().isEmpty(), "chunks over messages are not taken while the stream fills the assembly");
        WeightDownload.Request fallback = assertInstanceOf(WeightDownload.Request.class, download.streamEnded(stream.assembly(),
                new WeightStreamFetch.Result(WeightStreamFetch.Ending.UNREACHABLE, 0, "connection refused")));
        assertTrue(fallback.warning().contains("weight-stream-port"));
        assertTrue(fallback.newRound());
        download.offer(streamed(publication(2), "10.0.0.9:7000"), null);
        assertInstanceOf(WeightDownload.Request.class, download.begin(), "the same unreachable address is not tried again");
        download.offer(streamed(publication(3), "10.0.0.9:7001"), null);
        assertInstanceOf(WeightDownload.Stream.class, download.begin(), "a new address is tried");
    }

    @Test
    void aCompleteStreamLoadsAndALateEndOfAnOlderStreamIsIgnored() {
        WeightPublication v1 = publication(1);
        WeightDownload download = new WeightDownload();
        download.restart(streamed(v1, "h:1"));
        WeightDownload.Stream first = (WeightDownload.Stream) download.begin();
        WeightDownload.Stream second = (WeightDownload.Stream) download.begin();
        WeightStreamFetch.Result complete = new WeightStreamFetch.Result(WeightStreamFetch.Ending.COMPLETE, 1, "");
        assertSame(WeightDownload.Idle.INSTANCE, download.streamEnded(first.assembly(), complete));
        for (int i = 0; i < 20; i++) {
            second.assembly().accept(v1.chunk(i));
        }
        WeightDownload.Load load = assertInstanceOf(WeightDownload.Load.class, download.streamEnded(second.assembly(), complete));
        assertArrayEquals(second.assembly().bytes(), load.bytes());
        assertEquals(1, download.corruptedChunks(), "the stream's corrupted chunks are counted");
        assertEquals(1, download.newest());
    }

    @Test
    void aSharedVersionIsLoadedFromTheLearnersOwnBytes_andDropsAChunkDownloadInProgress() {
        WeightDownload download = new WeightDownload();
        download.restart(publication(1).manifest());
        WeightDownload.Request overMessages = assertInstanceOf(WeightDownload.Request.class, download.begin());
        assertEquals(1, overMessages.version());
        WeightPublication v2 = publication(2);
        download.offer(v2.manifest(), v2.sharedBytes());
        WeightDownload.Load load = assertInstanceOf(WeightDownload.Load.class, download.begin());
        assertSame(v2.sharedBytes(), load.bytes(), "the learner's bytes themselves: no copy");
        assertEquals(v2.manifest(), load.manifest());
        assertTrue(download.fetchingOverMessages().isEmpty(), "the chunk download of version 1 is dropped");
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(publication(1).chunk(0)), "its late chunks are ignored");

        download.offer(publication(1).manifest(), publication(1).sharedBytes());
        assertSame(v2.sharedBytes(), ((WeightDownload.Load) download.begin()).bytes(), "an older shared version is not taken");
        download.offer(publication(3).manifest(), null);
        assertInstanceOf(WeightDownload.Request.class, download.begin(), "a newer version announced without its bytes is fetched");
    }
}
