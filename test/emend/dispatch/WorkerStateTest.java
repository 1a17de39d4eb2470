package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.WeightManifest;
import java.util.List;
import org.junit.jupiter.api.Test;

final class WorkerStateTest {

    private static PromptLease lease(long id) {
        return PromptLease.newBuilder().setLeaseId(id).setProblemId("p" + id).build();
    }

    private static LeaseGrant grant(long epoch, long... leaseIds) {
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setLearnerEpoch(epoch);
        for (long id : leaseIds) {
            grant.addLeases(lease(id));
        }
        return grant.build();
    }

    private static WeightManifest manifest(long epoch, long version) {
        return WeightManifest.newBuilder().setLearnerEpoch(epoch).setVersion(version).build();
    }

    /** A worker registered with learner epoch 7, knowing a verifier, asking for work. */
    private static WorkerState asking() {
        WorkerState state = new WorkerState();
        state.registered(7);
        assertFalse(state.verifiersListed(true), "registering: nothing to ask for yet");
        assertInstanceOf(WorkerState.AskForWork.class, state.free());
        return state;
    }

    /** The run's end can overtake the last version's announcement: the worker still fetches it, unless it drains. */
    @Test
    void theLastVersionAnnouncedAfterTheRunEnds_isStillFetched_butNotByADrainingWorker() {
        for (boolean draining : new boolean[] {false, true}) {
            WorkerState state = asking();
            assertInstanceOf(WorkerState.RunFinished.class, state.granted(LeaseGrant.newBuilder().setLearnerEpoch(7).setFinished(true).build()));
            if (draining) {
                state.drain();
            }
            assertEquals(!draining, state.announced(4), "draining " + draining);
            if (!draining) {
                assertInstanceOf(WorkerState.FetchWeights.class, state.free());
                assertTrue(state.load(manifest(7, 4)));
                state.loaded();
                assertEquals(4, state.heldVersion());
                assertFalse(state.announced(4), "nothing newer: a finished worker stays put");
            }
        }
    }

    @Test
    void aGrantWhileBusyIsKeptAndServedNext() {
        WorkerState state = asking();
        WorkerState.Serve serve = assertInstanceOf(WorkerState.Serve.class, state.granted(grant(7, 1, 2)));
        state.generating(serve.leases());
        assertInstanceOf(WorkerState.Kept.class, state.granted(grant(7, 3)), "a late answer to a repeated request");
        WorkerState.Generate next = assertInstanceOf(WorkerState.Generate.class, state.free());
        assertEquals(List.of(lease(3)), next.leases());
    }

    @Test
    void keptLeasesAreServedOnce_andABatchIsKnownByIdentity() {
        WorkerState state = asking();
        List<PromptLease> first = state.generating(List.of(lease(1)));
        assertEquals(List.of(lease(1)), state.batch());
        assertTrue(state.isCurrentBatch(first));
        assertFalse(state.isCurrentBatch(List.of(lease(1))), "an equal list a former incarnation started is not this batch");
        state.drain();
        state.granted(grant(7, 2));
        assertInstanceOf(WorkerState.Generate.class, state.free());
        assertInstanceOf(WorkerState.Finish.class, state.free(), "draining, and lease 2 was handed out already: nothing is kept");
    }

    @Test
    void aBusyWorkerSettlesItsDrainLater() {
        WorkerState state = asking();
        state.generating(List.of(lease(1)));
        assertFalse(state.drain(), "generating: the drain is settled when the batch is done");
    }

    @Test
    void anEmptyLateGrantFromItsOwnLearnerLetsADrainingWorkerStop() {
        WorkerState state = asking();
        state.drain();
        state.free();
        assertInstanceOf(WorkerState.Ignored.class, state.granted(grant(7)));
        assertTrue(state.drained());
    }

    @Test
    void aNewerVersionIsFetchedBeforeMoreWorkAndNoWorkIsTakenWithoutAVerifier() {
        WorkerState state = asking();
        state.generating(List.of(lease(1)));
        assertFalse(state.announced(3), "generating: the announcement is acted on when the batch is done");
        assertInstanceOf(WorkerState.FetchWeights.class, state.free());
        assertEquals(WorkerState.Phase.FETCHING, state.phase());
        WeightManifest three = manifest(7, 3);
        assertTrue(state.load(three));
        state.loaded();
        assertEquals(3, state.heldVersion());
        assertFalse(state.verifiersListed(false));
        assertInstanceOf(WorkerState.AwaitVerifiers.class, state.free());
        assertEquals(WorkerState.Phase.ASKING, state.phase());
        assertTrue(state.verifiersListed(true), "a verifier appeared while the worker waits to ask: ask now");
        assertFalse(state.verifiersListed(true), "not news");
        assertTrue(state.announced(4), "asking: look again now");
    }

    @Test
    void onlyTheCurrentLearnersVersionIsLoaded_andALoadIsKnownByIdentity() {
        WorkerState state = asking();
        assertFalse(state.load(manifest(7, 1)), "not fetching");
        state.registered(7);
        assertEquals(WorkerState.Phase.FETCHING, state.phase(), "a spec's weights are fetched at once");
        assertFalse(state.load(manifest(6, 1)), "a version of a learner the worker has left");
        WeightManifest one = manifest(7, 1);
        assertTrue(state.load(one));
        assertEquals(WorkerState.Phase.LOADING, state.phase());
        assertTrue(state.isCurrentLoad(one));
        assertFalse(state.isCurrentLoad(manifest(7, 1)), "an equal manifest a former incarnation loaded is not this load");
        assertEquals(-1, state.heldVersion(), "held only once loaded");
        state.loaded();
        assertEquals(1, state.heldVersion());
    }

    @Test
    void aGrantFromANewLearnerIncarnationIsServedOnlyAfterRegisteringWithIt() {
        WorkerState moved = asking();
        moved.registered(7);
        assertTrue(moved.load(manifest(7, 2)));
        moved.loaded();
        assertInstanceOf(WorkerState.AskForWork.class, moved.free());
        WorkerState.Reregister reregister = assertInstanceOf(WorkerState.Reregister.class, moved.granted(grant(9, 6)));
        assertEquals(9, reregister.learnerEpoch());
        assertEquals(WorkerState.Phase.REGISTERING, moved.phase());
        assertEquals(-1, moved.heldVersion(), "the old learner's weights may differ at the same version");
        moved.registered(9);
        WorkerState.Generate served = assertInstanceOf(WorkerState.Generate.class, moved.free());
        assertEquals(List.of(lease(6)), served.leases(), "the new learner's leases, once its weights are in");
    }

    @Test
    void aSpecFromAnotherLearnerIncarnation_dropsTheHeldVersion() {
        WorkerState state = asking();
        state.registered(7);
        assertTrue(state.load(manifest(7, 4)));
        state.loaded();
        state.registered(7);
        assertEquals(4, state.heldVersion(), "the same learner again: its weights are still held");
        state.registered(8);
        assertEquals(-1, state.heldVersion(), "another learner's version 4 need not be this one's");
    }

    @Test
    void emptyAndFinishedGrants() {
        WorkerState state = asking();
        assertInstanceOf(WorkerState.NoWorkYet.class, state.granted(grant(7)));
        state.free();
        assertInstanceOf(WorkerState.RunFinished.class, state.granted(grant(7).toBuilder().setFinished(true).build()));
        assertEquals(WorkerState.Phase.FINISHED, state.phase());
    }

    @Test
    void aDrainingWorkerServesWhatItHoldsAndStopsOnceEveryResultIsAcknowledged() {
        WorkerState state = asking();
        assertTrue(state.drain(), "asking is idle: the drain is settled at once");
        WorkerState.Finish finish = assertInstanceOf(WorkerState.Finish.class, state.free());
        assertTrue(finish.awaitGrant(), "the request sent before the drain may still bring leases");
        assertFalse(state.drained());
        WorkerState.Serve late = assertInstanceOf(WorkerState.Serve.class, state.granted(grant(7, 1)));
        state.generating(late.leases());
        state.verifying();
        assertFalse(state.drained(), "holds a lease");
        state.submitted(GroupResult.newBuilder().setLeaseId(1).build());
        assertInstanceOf(WorkerState.Finish.class, state.free());
        assertFalse(state.drained(), "its result is not acknowledged yet");
        assertEquals(1, state.unacknowledged().size());
        state.acknowledged(1);
        assertTrue(state.drained());
    }

    @Test
    void aDrainingWorkerIgnoresAnEmptyOrForeignLateGrant() {
        WorkerState state = asking();
        state.drain();
        state.free();
        assertInstanceOf(WorkerState.Ignored.class, state.granted(grant(8, 1)), "another learner's leases");
        assertTrue(state.drained());
        WorkerState idle = new WorkerState();
        assertTrue(idle.drain(), "a registering worker settles its drain at once");
        assertInstanceOf(WorkerState.Finish.class, idle.free());
        assertTrue(idle.drained());
    }
}
