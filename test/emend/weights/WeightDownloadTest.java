package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void aGoneChunkWaitsForTheNewerVersion_whichReplacesTheDownloadOnceAnnounced() {
        WeightPublication v1 = publication(1);
        WeightPublication v2 = publication(2);
        WeightDownload download = new WeightDownload();
        download.restart(v1.manifest());
        download.begin();
        WeightChunk gone = WeightChunk.newBuilder().setVersion(1).setIndex(0).setGone(true).build();
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(gone), "no newer version announced yet: wait");
        WeightDownload.Request restart = assertInstanceOf(WeightDownload.Request.class, download.offer(v2.manifest(), null));
        assertEquals(2, restart.version());
        assertTrue(restart.newRound());
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(gone), "a late answer about the version dropped");
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(v1.chunk(0)), "a chunk of the version dropped is ignored");
        assertSame(WeightDownload.Idle.INSTANCE, download.offer(v1.manifest(), null), "an older announcement changes nothing");
    }

    @Test
    void anUnreachableStreamFallsBackToMessagesAndIsSkippedAfterwards() {
        WeightDownload download = new WeightDownload();
        download.restart(streamed(publication(1), "10.0.0.9:7000"));
        WeightDownload.Stream stream = assertInstanceOf(WeightDownload.Stream.class, download.begin());
        assertEquals("10.0.0.9:7000", stream.address());
        assertTrue(download.following());
        assertTrue(download.fetchingOverMessages().isEmpty(), "chunks over messages are not taken while the stream fills the assembly");
        WeightDownload.Request fallback = assertInstanceOf(WeightDownload.Request.class, download.streamEnded(
                new WeightStreamFetch.Result(WeightStreamFetch.Ending.UNREACHABLE, 0, "connection refused")));
        assertTrue(fallback.warning().contains("weight-stream-port"));
        assertTrue(fallback.newRound());
        assertFalse(download.following());
        // announced while the worker still waits for version 1: what it waits for from then on
        WeightDownload.Request second = assertInstanceOf(WeightDownload.Request.class, download.offer(streamed(publication(2), "10.0.0.9:7000"), null),
                "the same unreachable address is not tried again");
        assertEquals(2, second.version());
        assertInstanceOf(WeightDownload.Stream.class, download.offer(streamed(publication(3), "10.0.0.9:7001"), null), "a new address is tried");
    }

    /** The version's assembly with every chunk in. */
    private static WeightAssembly whole(WeightPublication publication) {
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        for (int i = 0; i < 20; i++) {
            assembly.accept(publication.chunk(i));
        }
        return assembly;
    }

    /** As the learner announces a version to one worker: with its epoch, stream and the worker's nonce. */
    private static WeightManifest announced(WeightPublication publication) {
        return streamed(publication, "h:1").toBuilder().setLearnerEpoch(7).setWorkerNonce(99).build();
    }

    @Test
    void theFollowedStreamBringsLaterVersions_eachLoadedOnceAnnouncedAndWanted() {
        WeightDownload download = new WeightDownload();
        download.restart(announced(publication(1)));
        WeightDownload.Stream stream = assertInstanceOf(WeightDownload.Stream.class, download.begin());
        assertSame(WeightDownload.Idle.INSTANCE, download.begin(), "asked again while it comes: no second stream");
        stream.assembly().accept(publication(1).chunk(0));
        WeightDownload.Load first = assertInstanceOf(WeightDownload.Load.class, download.streamDelivered(whole(publication(1))));
        assertEquals(announced(publication(1)), first.manifest(), "loaded under the manifest the learner announced");

        // version 2 arrives on the stream before its announcement, while the worker is busy
        WeightAssembly v2 = new WeightAssembly(publication(2).manifest());
        assertSame(WeightDownload.Idle.INSTANCE, download.streamStarted(v2));
        download.offer(announced(publication(2)), null);
        assertSame(WeightDownload.Idle.INSTANCE, download.begin(), "on its way: no request, no deadline");
        WeightDownload.Load second = assertInstanceOf(WeightDownload.Load.class, download.streamDelivered(whole(publication(2))));
        assertArrayEquals(whole(publication(2)).bytes(), second.bytes());
        assertEquals(2, second.manifest().getVersion());

        // version 3 is whole before the worker asks: loaded at once when it does, not before
        assertSame(WeightDownload.Idle.INSTANCE, download.streamDelivered(whole(publication(3))));
        download.offer(announced(publication(3)), null);
        WeightDownload.Load third = assertInstanceOf(WeightDownload.Load.class, download.begin());
        assertEquals(3, third.manifest().getVersion());
        assertTrue(download.following());

        // version 4 announced before the stream began it: awaited, not fetched twice
        download.offer(announced(publication(4)), null);
        assertEquals(new WeightDownload.Await(4), download.begin());
        assertSame(WeightDownload.Idle.INSTANCE, download.overdue(3), "a deadline of a version no longer wanted");
        download.streamStarted(new WeightAssembly(publication(4).manifest()));
        assertSame(WeightDownload.Idle.INSTANCE, download.overdue(4), "begun in time: its reads have their own timeout");
        assertInstanceOf(WeightDownload.Load.class, download.streamDelivered(whole(publication(4))));

        // the worker waits for version 5 when the learner has moved on: version 6 is whole before it is announced
        download.offer(announced(publication(5)), null);
        assertEquals(new WeightDownload.Await(5), download.begin());
        assertSame(WeightDownload.Idle.INSTANCE, download.streamDelivered(whole(publication(6))), "not announced yet");
        WeightDownload.Load sixth = assertInstanceOf(WeightDownload.Load.class, download.offer(announced(publication(6)), null),
                "its announcement hands it over to the waiting worker at once");
        assertEquals(6, sixth.manifest().getVersion());
        assertSame(WeightDownload.Idle.INSTANCE, download.offer(announced(publication(7)), null), "nobody waits: nothing to do");
    }

    /** A download that has opened the stream and loaded version 1 from it. */
    private static WeightDownload followingAfterVersion1() {
        WeightDownload download = new WeightDownload();
        download.restart(announced(publication(1)));
        download.begin();
        assertInstanceOf(WeightDownload.Load.class, download.streamDelivered(whole(publication(1))));
        return download;
    }

    @Test
    void aBroughtVersionUnlikeTheOneAnnouncedIsNotLoaded_andAStreamThatBringsNothingIsGivenUp() {
        WeightDownload download = followingAfterVersion1();
        // the stream brings a version 2 whose bytes differ from the version 2 announced
        byte[] other = publication(2).sharedBytes().clone();
        other[0] ^= 1;
        WeightPublication forged = new WeightPublication(2, other, 8, "{}");
        download.streamDelivered(whole(forged));
        download.offer(announced(publication(2)), null);
        assertEquals(new WeightDownload.Await(2), download.begin(), "not loaded: its digests are not the announced ones");
        WeightDownload.Request overMessages = assertInstanceOf(WeightDownload.Request.class, download.overdue(2));
        assertEquals(2, overMessages.version());
        assertTrue(overMessages.warning().contains("did not bring version 2"), overMessages.warning());
        assertFalse(download.following(), "given up: the actor closes it");
        assertSame(WeightDownload.Idle.INSTANCE, download.streamEnded(new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 0,
                "closed")), "the end of the stream given up changes nothing");
        assertEquals(2, download.fetchingOverMessages().orElseThrow().getVersion());
        assertInstanceOf(WeightDownload.Stream.class, download.offer(announced(publication(3)), null),
                "the next version wanted opens the stream again");
    }

    @Test
    void aStreamThatEndsMidVersionLeavesOnlyTheMissingChunksToMessages_andANewLearnerDropsTheStream() {
        WeightDownload download = new WeightDownload();
        download.restart(announced(publication(1)));
        WeightDownload.Stream stream = assertInstanceOf(WeightDownload.Stream.class, download.begin());
        for (int i = 0; i < 18; i++) {
            stream.assembly().accept(publication(1).chunk(i));
        }
        WeightDownload.Request rest = assertInstanceOf(WeightDownload.Request.class, download.streamEnded(
                new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 2, "connection reset")));
        assertEquals(List.of(18, 19), rest.indices());
        assertTrue(rest.warning().contains("connection reset"), rest.warning());
        assertEquals(2, download.corruptedChunks());
        download.chunkArrived(publication(1).chunk(18));
        assertInstanceOf(WeightDownload.Load.class, download.chunkArrived(publication(1).chunk(19)));

        download.offer(announced(publication(2)), null);
        assertInstanceOf(WeightDownload.Stream.class, download.begin());
        download.restart(announced(publication(1)));
        assertFalse(download.following(), "the old learner's stream is closed");
        assertSame(WeightDownload.Idle.INSTANCE, download.streamDelivered(whole(publication(2))), "what it still brings is dropped");
        assertInstanceOf(WeightDownload.Stream.class, download.begin());
    }

    @Test
    void aPushedVersionFinishedOverMessagesLoadsUnderTheAnnouncedManifest_andALoadEndsADownloadOfAnOlderOne() {
        WeightDownload download = followingAfterVersion1();
        // version 2 is pushed (its manifest without epoch or nonce) and breaks off after 18 chunks
        WeightAssembly pushed = new WeightAssembly(publication(2).manifest());
        download.streamStarted(pushed);
        for (int i = 0; i < 18; i++) {
            pushed.accept(publication(2).chunk(i));
        }
        assertSame(WeightDownload.Idle.INSTANCE, download.offer(announced(publication(2)), null));
        assertSame(WeightDownload.Idle.INSTANCE, download.begin(), "on its way");
        WeightDownload.Request rest = assertInstanceOf(WeightDownload.Request.class, download.streamEnded(
                new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 1, "1 chunks of version 2 did not match")));
        assertEquals(List.of(18, 19), rest.indices());
        download.chunkArrived(publication(2).chunk(18));
        WeightDownload.Load load = assertInstanceOf(WeightDownload.Load.class, download.chunkArrived(publication(2).chunk(19)));
        assertEquals(announced(publication(2)), load.manifest(), "the worker takes a version only with its learner's epoch");

        // wanting version 3 over messages when the stream had brought version 4 before it ended
        download.offer(announced(publication(3)), null);
        assertInstanceOf(WeightDownload.Stream.class, download.begin());
        download.streamDelivered(whole(publication(4)));
        WeightDownload.Request third = assertInstanceOf(WeightDownload.Request.class, download.streamEnded(
                new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 0, "connection reset")));
        assertEquals(3, third.version());
        WeightDownload.Load fourth = assertInstanceOf(WeightDownload.Load.class, download.offer(announced(publication(4)), null));
        assertEquals(4, fourth.manifest().getVersion());
        assertSame(WeightDownload.Idle.INSTANCE, download.chunkArrived(publication(3).chunk(0)), "version 3's download ended with the load");
        assertTrue(download.fetchingOverMessages().isEmpty());
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
