package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.run.LearnerJob;
import emend.rollout.RlooGroup;
import emend.testing.HonestGroups;
import emend.testing.TinyLearnerJob;
import emend.wire.LearnerEdge;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner's books of the worker protocol, without actors: replies are plain strings here. */
final class WorkerDeskTest {

    private static final long EPOCH = 7_000;
    private static final WorkerDesk.Manifests<String> MANIFESTS = (ref, nonce) -> WeightManifest.newBuilder().setVersion(0)
            .setStreamAddress(ref + "#" + nonce).build();

    @TempDir
    Path dir;

    private static WorkerHello hello(String id, long nonce) {
        return WorkerHello.newBuilder().setWorkerId(id).setNonce(nonce).build();
    }

    private static WorkerDesk.Outcome<LeaseGrant> ask(WorkerDesk<String> desk, String id, String replyTo, int capacity) {
        return ask(desk, id, replyTo, capacity, 0);
    }

    private static WorkerDesk.Outcome<LeaseGrant> ask(WorkerDesk<String> desk, String id, String replyTo, int capacity, long heldVersion) {
        return desk.requestWork(WorkRequest.newBuilder().setWorkerId(id).setCapacity(capacity).setPolicyVersion(heldVersion).build(), replyTo, 0);
    }

    @Test
    void aWorkerIsWelcomedOnce_andItsSpecIsAddressedToThisHello() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\"]", 2, Map.of())) {
            WorkerDesk<String> desk = new WorkerDesk<>(tiny.job(), new RunControl(2, 0, 0, 0), EPOCH);
            WorkerDesk.Outcome<WorkerDesk.Welcome> first = desk.hello(hello("w", 11), "ref-w", MANIFESTS);
            assertEquals(Optional.empty(), first.rejection());
            assertTrue(first.answer().orElseThrow().joined());
            assertEquals(EPOCH, first.answer().get().spec().getLearnerEpoch());
            assertEquals(11, first.answer().get().spec().getHelloNonce());
            assertEquals("ref-w#11", first.answer().get().spec().getManifest().getStreamAddress());
            assertFalse(desk.hello(hello("w", 11), "ref-w", MANIFESTS).answer().orElseThrow().joined(), "a repeated hello");
            assertEquals(1, desk.workers().size());
            assertEquals("reply_to", desk.hello(hello("x", 1), null, MANIFESTS).rejection().orElseThrow().reason());
        }
    }

    @Test
    void anUnknownAsker_getsTheEpochToSayHelloTo_andNoWork() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\"]", 2, Map.of())) {
            WorkerDesk<String> desk = new WorkerDesk<>(tiny.job(), new RunControl(2, 0, 0, 0), EPOCH);
            WorkerDesk.Outcome<LeaseGrant> stranger = ask(desk, "w", "ref-w", 2);
            assertEquals(LearnerEdge.UNREGISTERED, stranger.rejection().orElseThrow().reason());
            assertEquals(EPOCH, stranger.answer().orElseThrow().getLearnerEpoch());
            assertEquals(0, stranger.answer().get().getLeasesCount());
            desk.hello(hello("w", 11), "ref-w", MANIFESTS);
            WorkerDesk.Outcome<LeaseGrant> other = ask(desk, "w", "ref-impostor", 2);
            assertTrue(other.rejection().isPresent(), "a request naming a registered worker from another address");
            assertEquals(0, other.answer().map(LeaseGrant::getLeasesCount).orElse(0), "gets no work");
        }
    }

    /** Four steps of 2 prompts, with up to two batches out at once. */
    private TinyLearnerJob fourStepJob() {
        return new TinyLearnerJob(dir, "[\"stage1:4\"]", 2, Map.of("emend.runtime.max-staleness", "1"));
    }

    private static long oldestHeld(WorkerDesk<String> desk) {
        return desk.snapshot(0, 0, Optional.empty()).runtime().getOldestWorkerVersion();
    }

    @Test
    void leasesGoOutWhileTheRunHandsOutWork_andComeBackWhenTheirWorkerRestartsOrLeaves() {
        try (TinyLearnerJob tiny = fourStepJob()) {
            RunControl run = new RunControl(4, 0, 0, 0);
            WorkerDesk<String> desk = new WorkerDesk<>(tiny.job(), run, EPOCH);
            desk.hello(hello("w", 11), "ref-w", MANIFESTS);
            LeaseGrant grant = ask(desk, "w", "ref-w", 3).answer().orElseThrow();
            assertEquals(3, grant.getLeasesCount(), "max staleness 1: two batches of 2 may be out, the capacity caps it at 3");
            assertEquals(11, grant.getWorkerNonce());
            assertEquals(EPOCH, grant.getLeases(0).getLeaseId(), "lease ids start at the epoch");
            desk.hello(hello("w", 12), "ref-w", MANIFESTS);
            assertEquals(3, desk.snapshot(0, 0, Optional.empty()).runtime().getPromptsReissued(), "a restarted worker's leases go back");
            run.pause();
            assertEquals(0, ask(desk, "w", "ref-w", 3).answer().orElseThrow().getLeasesCount(), "a paused run leases nothing");
            run.resume();
            assertEquals(3, ask(desk, "w", "ref-w", 3).answer().orElseThrow().getLeasesCount());
            assertEquals(3, desk.workerLeft("w"));
            assertEquals(0, desk.workers().size());
        }
    }

    @Test
    void theStatusNamesTheOldestVersionTheWorkersHold_fromTheirWorkRequests() {
        try (TinyLearnerJob tiny = fourStepJob()) {
            RunControl run = new RunControl(4, 0, 0, 0);
            WorkerDesk<String> desk = new WorkerDesk<>(tiny.job(), run, EPOCH);
            desk.hello(hello("a", 1), "ref-a", MANIFESTS);
            desk.hello(hello("b", 2), "ref-b", MANIFESTS);
            ask(desk, "a", "ref-a", 1, 0);
            assertEquals(-1, oldestHeld(desk), "b has not asked yet");
            ask(desk, "b", "ref-b", 1, 0);
            assertEquals(0, oldestHeld(desk));
            ask(desk, "b", "ref-b", 1, 1); // refused at the edge: version 1 is not published yet, so what it says is not taken
            assertEquals(0, oldestHeld(desk));
            run.stepStarted();
            run.stepEnded(1, 1, 0);
            ask(desk, "b", "ref-b", 0, 1); // refused at the edge (capacity 0)
            assertEquals(0, oldestHeld(desk));
            desk.workerLeft("a");
            ask(desk, "b", "ref-b", 1, 1);
            LearnerSnapshot snapshot = desk.snapshot(0, 0, Optional.empty());
            assertEquals(1, snapshot.runtime().getOldestWorkerVersion());
            assertEquals(1, snapshot.runStatus("runs/x", Map.of()).getOldestWorkerVersion());
        }
    }

    @Test
    void aGroupIsAdmittedFromItsHolderOnly_andAMalformedOneIsAcknowledgedAsExpired() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\"]", 2, Map.of())) {
            LearnerJob job = tiny.job();
            WorkerDesk<String> desk = new WorkerDesk<>(job, new RunControl(2, 0, 0, 0), EPOCH);
            desk.hello(hello("w", 11), "ref-w", MANIFESTS);
            desk.hello(hello("v", 12), "ref-v", MANIFESTS);
            List<PromptLease> leases = ask(desk, "w", "ref-w", 2).answer().orElseThrow().getLeasesList();
            GroupResult honest = HonestGroups.group(leases.get(0), "w", 0, job.dialogue());

            WorkerDesk.Outcome<GroupAck> foreign = desk.submit(honest.toBuilder().setWorkerId("v").build(), "ref-v");
            assertEquals("lease_holder", foreign.rejection().orElseThrow().reason());
            assertEquals(Optional.empty(), foreign.answer(), "only the holder is told anything");

            WorkerDesk.Outcome<GroupAck> malformed = desk.submit(honest.toBuilder().removeTrajectories(1).build(), "ref-w");
            assertEquals("group_size", malformed.rejection().orElseThrow().reason());
            assertEquals(GroupAck.Outcome.EXPIRED, malformed.answer().orElseThrow().getOutcome(), "so the worker stops re-sending it");

            assertEquals(GroupAck.Outcome.ACCEPTED, desk.submit(honest, "ref-w").answer().orElseThrow().getOutcome());
            assertEquals(GroupAck.Outcome.DUPLICATE, desk.submit(honest, "ref-w").answer().orElseThrow().getOutcome());
            assertEquals(Optional.empty(), desk.takeBatch(), "half a batch");
            desk.submit(HonestGroups.group(leases.get(1), "w", 0, job.dialogue()), "ref-w");
            List<RlooGroup> batch = desk.takeBatch().orElseThrow();
            assertEquals(List.of(2, 2), batch.stream().map(group -> group.rows().size()).toList(), "2 prompts x k = 2");
        }
    }

    @Test
    void chunksGoOnlyToRegisteredWorkers_withinThePublishedVersion() {
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\"]", 2, Map.of())) {
            WorkerDesk<String> desk = new WorkerDesk<>(tiny.job(), new RunControl(2, 0, 0, 0), EPOCH);
            WeightChunkRequest third = WeightChunkRequest.newBuilder().setVersion(0).setIndex(2).build();
            assertEquals(LearnerEdge.UNREGISTERED, desk.fetchChunk(third, "ref-w", 0, 3).orElseThrow().reason());
            desk.hello(hello("w", 11), "ref-w", MANIFESTS);
            assertEquals(Optional.empty(), desk.fetchChunk(third, "ref-w", 0, 3));
            assertEquals("chunk_index", desk.fetchChunk(third, "ref-w", 0, 2).orElseThrow().reason());
        }
    }
}
