package emend.dispatch;

import emend.proto.Evaluation;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.RunSpec;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.run.LearnerJob;
import emend.rollout.PromptQueue;
import emend.task.ProblemSet;
import emend.wire.LearnerEdge;
import emend.wire.Rejection;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The learner's side of the worker protocol (what pekko-samples' WorkState is to its WorkManager actor): who is
 * registered, which prompts each holds, and what a submitted group is worth. Every request passes
 * {@link LearnerEdge} first; each method returns what to send back and the rejection to count, so the learner
 * actor only delivers them. One thread (the learner actor's) owns it.
 *
 * @param <R> the reply address of a worker (an actor reference in the runtime)
 */
public final class WorkerDesk<R> {

    /** What a request comes to: a rejection to count (the message is dropped), an answer to send, or both. */
    public record Outcome<T>(Optional<Rejection> rejection, Optional<T> answer) {
        static <T> Outcome<T> answer(T answer) {
            return new Outcome<>(Optional.empty(), Optional.of(answer));
        }

        static <T> Outcome<T> dropped(Rejection rejection) {
            return new Outcome<>(Optional.of(rejection), Optional.empty());
        }
    }

    /** The run spec for a worker that said hello; {@code joined}: a worker id not seen before (watch it). */
    public record Welcome(RunSpec spec, boolean joined) {}

    /** The manifest of the published version, addressed to one worker (the weight stream's ticket is per worker). */
    public interface Manifests<R> {
        WeightManifest forWorker(R ref, long nonce);
    }

    private final LearnerJob job;
    private final RunControl run;
    private final long epoch;
    private final RolloutLedger ledger;
    private final LearnerEdge edge;
    private final WorkerRegistry<R> workers = new WorkerRegistry<>();
    /** The digest of the task's problems, announced to workers: verifiers refuse requests naming another set. */
    private final String problemSetSha256;
    private long verifyTimeouts;

    /**
     * @param run the learner's run control (read for the version, whether work goes out and the step count)
     * @param epoch this learner incarnation's id; its lease ids start there, so a restarted learner never takes a
     *     result of its predecessor's lease for one of its own
     */
    public WorkerDesk(LearnerJob job, RunControl run, long epoch) {
        this.job = job;
        this.run = run;
        this.epoch = epoch;
        int batch = job.settings().rl().promptsPerStep();
        int stepsBefore = run.stepsDone();
        this.ledger = new RolloutLedger(new PromptQueue(job.task().train(), job.settings().seed(), batch, stepsBefore),
                new StalenessWindow(job.live().maxStaleness(), batch), job.runtime().leaseTimeout().toMillis(),
                (long) run.totalSteps() * batch, (long) stepsBefore * batch, epoch);
        this.edge = new LearnerEdge(new LearnerEdge.Run(job.settings().rl().samplesPerPrompt(), job.settings().rl().turnTwoSamples(),
                job.policy().weights().config().vocabSize(), job.task().maxAttemptTokens(), job.dialogue(),
                step -> job.trainer().stageOf(step).twoTurns()));
        this.problemSetSha256 = ProblemSet.of(job.task()).sha256();
    }

    /** A worker introduces itself (again after its restart: its leases go back to the queue). */
    public Outcome<Welcome> hello(WorkerHello hello, R replyTo, Manifests<R> manifests) {
        String id = hello.getWorkerId();
        Optional<Rejection> bad = edge.hello(hello, replyTo, workers.ref(id).orElse(null), workers.size());
        if (bad.isPresent()) {
            return Outcome.dropped(bad.get());
        }
        WorkerRegistry.Hello kind = workers.hello(id, replyTo, hello.getNonce());
        if (kind == WorkerRegistry.Hello.RESTARTED) {
            ledger.expireWorker(id);
        }
        WorkerRegistry.Worker<R> worker = workers.get(id).orElseThrow();
        RunSpec spec = job.runSpec(manifests.forWorker(worker.ref(), worker.nonce()), epoch, problemSetSha256, hello.getNonce());
        return Outcome.answer(new Welcome(spec, kind == WorkerRegistry.Hello.NEW));
    }

    /** Leases up to the worker's capacity while the run hands out work (none while paused, stopping or done). */
    public Outcome<LeaseGrant> requestWork(WorkRequest request, R replyTo, long nowMillis) {
        Optional<WorkerRegistry.Worker<R>> registered = workers.get(request.getWorkerId());
        Optional<Rejection> bad = edge.requestWork(request, replyTo, registered.map(WorkerRegistry.Worker::ref).orElse(null), run.version());
        if (bad.isPresent()) {
            if (bad.get().reason().equals(LearnerEdge.UNREGISTERED) && replyTo != null) {
                // a worker of a learner that moved or restarted asks here: no work, only this epoch, so it says hello
                return new Outcome<>(bad, Optional.of(LeaseGrant.newBuilder().setCurrentVersion(run.version()).setLearnerEpoch(epoch).build()));
            }
            return Outcome.dropped(bad.get());
        }
        workers.holds(request.getWorkerId(), request.getPolicyVersion());
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setCurrentVersion(run.version()).setFinished(run.finished())
                .setLearnerEpoch(epoch).setWorkerNonce(registered.orElseThrow().nonce());
        if (run.handsOutWork()) {
            long timeout = job.runtime().leaseTimeout().toMillis();
            double temperature = job.live().temperature();
            for (LeaseTable.Lease<PromptDraw> lease : ledger.grant(request.getWorkerId(), request.getCapacity(), request.getPolicyVersion(), run.version(), nowMillis)) {
                grant.addLeases(PromptLeases.toWire(lease, job.trainer().stageOf(lease.item().step()).twoTurns(), timeout, temperature));
            }
        }
        return Outcome.answer(grant.build());
    }

    /**
     * A scored group: admitted, late, stale or a duplicate, as the ledger says. A result from its lease's holder that
     * is not an honest group is dropped and acknowledged as expired, so the worker stops re-sending it (the lease
     * times out and its prompt goes out again); one from anyone else is only dropped.
     */
    public Outcome<GroupAck> submit(GroupResult result, R replyTo) {
        LearnerEdge.SubmitCheck check = edge.submit(result, replyTo, workers.ref(result.getWorkerId()).orElse(null),
                ledger.openLease(result.getLeaseId()).map(lease -> new LearnerEdge.OpenLease(lease.holder(), lease.item())), run.version());
        if (check instanceof LearnerEdge.Foreign foreign) {
            return Outcome.dropped(foreign.rejection());
        }
        if (check instanceof LearnerEdge.Malformed malformed) {
            return new Outcome<>(Optional.of(malformed.rejection()), Optional.of(ack(result.getLeaseId(), GroupAck.Outcome.EXPIRED)));
        }
        RolloutLedger.Admission admission = check instanceof LearnerEdge.Admissible admissible
                ? ledger.submit(result.getLeaseId(), admissible.sampleVersion(), admissible.group(), run.version())
                : ledger.notOpen(result.getLeaseId());
        if (admission == RolloutLedger.Admission.ACCEPTED) {
            verifyTimeouts += result.getVerifyTimeouts();
        }
        return Outcome.answer(ack(result.getLeaseId(), GroupAck.Outcome.valueOf(admission.name())));
    }

    /** Whether a chunk request may be answered: from a registered worker, for the published version. */
    public Optional<Rejection> fetchChunk(WeightChunkRequest request, R replyTo, long publishedVersion, int chunkCount) {
        return edge.fetchChunk(request, replyTo, workers.answersAt(replyTo), publishedVersion, chunkCount);
    }

    /** A worker's node left or it stopped: its leases go back to the queue; returns how many. */
    public int workerLeft(String workerId) {
        workers.remove(workerId);
        return ledger.expireWorker(workerId);
    }

    /** Re-issues the leases whose time ran out; returns how many. */
    public int expireDue(long nowMillis) {
        return ledger.expireDue(nowMillis);
    }

    /** A full batch for the next learner step, once enough groups are admitted. */
    public Optional<List<RlooGroup>> takeBatch() {
        return ledger.takeBatch(job.settings().rl().promptsPerStep());
    }

    /** An operator changed the staleness bound ({@code emend ctl set max-staleness=N}). */
    public void setMaxStaleness(int maxStaleness) {
        ledger.setMaxStaleness(maxStaleness);
    }

    public Collection<WorkerRegistry.Worker<R>> workers() {
        return workers.all();
    }

    /** The learner's figures now (see {@link LearnerSnapshot}). */
    public LearnerSnapshot snapshot(long wireRejected, double tokensPerSecond, Optional<Evaluation> lastEvaluation) {
        String stage = job.trainer().stageOf(run.nextStep()).label();
        return LearnerSnapshot.of(run, stage, ledger, job.live().maxStaleness(), workers.census(), verifyTimeouts, wireRejected,
                tokensPerSecond, lastEvaluation);
    }

    private static GroupAck ack(long leaseId, GroupAck.Outcome outcome) {
        return GroupAck.newBuilder().setLeaseId(leaseId).setOutcome(outcome).build();
    }
}
