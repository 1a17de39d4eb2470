package emend.dispatch;

import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.WeightManifest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout worker's life between its messages: which phase it is in, the leases it holds or was granted while
 * busy, the results its learner has not acknowledged, the learner incarnation it serves, the policy versions
 * announced and held, whether it knows a verifier, and whether it is draining. Pure decisions: the worker actor asks what to do next and performs it (sends, timers, model work).
 *
 * <p>Rules it keeps: a lease is never dropped (one granted while busy is served next); leases of a learner that
 * restarted or moved die with it; a draining worker serves what it holds and what an outstanding request brings,
 * then stops once every result it sent is acknowledged.
 */
public final class WorkerState {

    /** FETCHING: the weight download runs (over the learner's stream or chunk by chunk); LOADING: into the model. */
    public enum Phase { REGISTERING, FETCHING, LOADING, ASKING, GENERATING, VERIFYING, FINISHED }

    /** What a worker that has nothing to do does next. */
    public sealed interface Next permits Finish, FetchWeights, Generate, AwaitVerifiers, AskForWork {}

    /** Nothing more will come: stop asking ({@code awaitGrant}: a request sent before the drain may still bring leases). */
    public record Finish(boolean awaitGrant) implements Next {}

    /** A newer version is announced: fetch it before sampling more. */
    public record FetchWeights() implements Next {}

    /** Sample these leases now. */
    public record Generate(List<PromptLease> leases) implements Next {}

    /** No verifier pool is known, so work taken now could not be scored: wait until one is listed. */
    public record AwaitVerifiers() implements Next {}

    /** Ask the learner for work. */
    public record AskForWork() implements Next {}

    /** What a grant from the learner leads to. */
    public sealed interface AfterGrant permits Serve, Kept, Reregister, RunFinished, NoWorkYet, Ignored {}

    /** Sample the grant's leases now. */
    public record Serve(List<PromptLease> leases) implements AfterGrant {}

    /** The worker is busy: the grant's leases wait for their turn. */
    public record Kept() implements AfterGrant {}

    /** Another learner incarnation answers: say hello to it and fetch its weights before serving its leases. */
    public record Reregister(long learnerEpoch) implements AfterGrant {}

    /** The schedule is done. */
    public record RunFinished() implements AfterGrant {}

    /** Nothing to hand out right now (the staleness window is full): ask again shortly. */
    public record NoWorkYet() implements AfterGrant {}

    /** Nothing to do (the empty answer to a draining worker's last request). */
    public record Ignored() implements AfterGrant {}

    private static final long NO_LEARNER = Long.MIN_VALUE;

    private Phase phase = Phase.REGISTERING;
    private long learnerEpoch = NO_LEARNER;
    /** The batch being generated or verified. */
    private List<PromptLease> batch = List.of();
    /** Leases granted while the worker was busy (a late answer to a repeated request); served next. */
    private final List<PromptLease> kept = new ArrayList<>();
    private final Map<Long, GroupResult> unacknowledged = new LinkedHashMap<>();
    private boolean draining;
    /** A work request is out and its grant has not come back (a draining worker waits for it before stopping). */
    private boolean awaitingGrant;
    /** The newest version the learner announced, and the one in the model (-1: none yet). */
    private long announcedVersion = -1;
    private long heldVersion = -1;
    /** The version being loaded (phase LOADING), known by identity: a restarted worker ignores its former self's load. */
    private WeightManifest loading;
    private boolean verifiersKnown;

    public Phase phase() {
        return phase;
    }

    /**
     * The learner incarnation {@code epoch} sent its run spec, whose weights the worker fetches now; another
     * incarnation's weights no longer count as held.
     */
    public void registered(long epoch) {
        if (epoch != learnerEpoch) {
            heldVersion = -1;
        }
        learnerEpoch = epoch;
        phase = Phase.FETCHING;
    }

    /**
     * The learner announced {@code version}; true when the worker waits for work and should look again ({@link #free}).
     * The last version is announced as the run ends, and its announcement (relayed by the weight fetcher) may arrive
     * after the grant that says the run is finished: a finished worker that is not draining still fetches it, so
     * every worker ends holding the final policy.
     */
    public boolean announced(long version) {
        announcedVersion = version;
        return phase == Phase.ASKING || (phase == Phase.FINISHED && !draining && version > heldVersion);
    }

    /** Whether any verifier pool is listed; true when the first one appears while the worker waits to ask for work. */
    public boolean verifiersListed(boolean any) {
        boolean appeared = any && !verifiersKnown;
        verifiersKnown = any;
        return appeared && phase == Phase.ASKING;
    }

    /**
     * A downloaded version passed its hash check; true when it is to be loaded now. A version of a learner this
     * worker has since left (a failover while the download ended) is not.
     */
    public boolean load(WeightManifest manifest) {
        if (phase != Phase.FETCHING || manifest.getLearnerEpoch() != learnerEpoch) {
            return false;
        }
        phase = Phase.LOADING;
        loading = manifest;
        return true;
    }

    /** Whether {@code manifest} is the load in progress (not one a former incarnation started). */
    public boolean isCurrentLoad(WeightManifest manifest) {
        return phase == Phase.LOADING && manifest == loading;
    }

    /** The load in progress is in the model. */
    public void loaded() {
        heldVersion = loading.getVersion();
    }

    /** The version in the model, -1 before the first load and after changing learners. */
    public long heldVersion() {
        return heldVersion;
    }

    /** The worker is free (weights loaded, a batch's scores all in or given up, a retry). */
    public Next free() {
        if (draining && kept.isEmpty()) {
            phase = Phase.FINISHED;
            return new Finish(awaitingGrant);
        }
        if (announcedVersion > heldVersion) {
            phase = Phase.FETCHING;
            return new FetchWeights();
        }
        if (!kept.isEmpty()) {
            List<PromptLease> work = List.copyOf(kept);
            kept.clear();
            return new Generate(work);
        }
        phase = Phase.ASKING;
        if (!verifiersKnown) {
            return new AwaitVerifiers();
        }
        awaitingGrant = true;
        return new AskForWork();
    }

    /** A grant that passed its edge check arrived. */
    public AfterGrant granted(LeaseGrant grant) {
        awaitingGrant = false;
        if (draining && phase == Phase.FINISHED) {
            // the answer to a request sent before the drain: serve what it brought, then stop
            boolean fromOurLearner = learnerEpoch != NO_LEARNER && grant.getLearnerEpoch() == learnerEpoch;
            return grant.getLeasesCount() > 0 && fromOurLearner ? new Serve(grant.getLeasesList()) : new Ignored();
        }
        if (phase != Phase.ASKING) {
            // Never drop a lease: it would sit until its timeout. Serve it after the current fetch or generation.
            kept.addAll(grant.getLeasesList());
            return new Kept();
        }
        if (learnerEpoch != NO_LEARNER && grant.getLearnerEpoch() != learnerEpoch) {
            // The learner restarted or moved: its weights may differ at the same version, and it knows nothing of
            // this worker. Leases kept from the old learner died with it (the new one hands their prompts out
            // again); the new learner's leases in this grant are served once its weights are in.
            kept.clear();
            kept.addAll(grant.getLeasesList());
            phase = Phase.REGISTERING;
            heldVersion = -1;
            return new Reregister(grant.getLearnerEpoch());
        }
        if (grant.getFinished()) {
            phase = Phase.FINISHED;
            return new RunFinished();
        }
        return grant.getLeasesCount() == 0 ? new NoWorkYet() : new Serve(grant.getLeasesList());
    }

    /** A request's grant is given up for lost (a draining worker stops waiting for it). */
    public void grantLost() {
        awaitingGrant = false;
    }

    /** Generation of {@code work} starts; returns the batch, by which its outcome is recognised. */
    public List<PromptLease> generating(List<PromptLease> work) {
        phase = Phase.GENERATING;
        batch = List.copyOf(work);
        return batch;
    }

    /** Whether {@code generated} is the batch in progress (not one a former incarnation started). */
    public boolean isCurrentBatch(List<PromptLease> generated) {
        return generated == batch;
    }

    public void verifying() {
        phase = Phase.VERIFYING;
    }

    public List<PromptLease> batch() {
        return batch;
    }

    /** A scored group went to the learner; kept until acknowledged, and sent again until then. */
    public void submitted(GroupResult result) {
        unacknowledged.put(result.getLeaseId(), result);
    }

    public void acknowledged(long leaseId) {
        unacknowledged.remove(leaseId);
    }

    public Collection<GroupResult> unacknowledged() {
        return List.copyOf(unacknowledged.values());
    }

    /** Starts draining; true when the worker is idle and should settle it at once (by {@link #free}). */
    public boolean drain() {
        draining = true;
        return phase == Phase.ASKING || phase == Phase.REGISTERING;
    }

    /** A draining worker may stop: it holds no lease, waits for no grant or weights, and every result is acknowledged. */
    public boolean drained() {
        boolean holdsWork = phase == Phase.GENERATING || phase == Phase.VERIFYING || !kept.isEmpty() || !unacknowledged.isEmpty()
                || awaitingGrant;
        boolean inWeights = phase == Phase.FETCHING || phase == Phase.LOADING;
        return draining && !holdsWork && !inWeights;
    }
}
