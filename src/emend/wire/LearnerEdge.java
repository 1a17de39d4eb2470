package emend.wire;

import emend.proto.GroupResult;
import emend.proto.WeightChunkRequest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.rollout.TrajectoryCodec;
import emend.task.Dialogue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The learner's edge: what a message from a worker must be before the learner acts on it. A worker is known by
 * the reply address it said hello with; only it may ask for work, fetch weights, or submit the result of a lease
 * it holds; and a group is admitted only if it is exactly what an honest worker could have sampled for that lease
 * (the run's group size, the lease's problem and prompt tokens, token ids inside the vocabulary, attempts within
 * the task's budget, behaviour log-probs that are log-probabilities, rewards in {0, 1}, a policy version the
 * learner has published).
 *
 * <p>Reply addresses are compared with {@code equals}: the learner passes actor references, this class needs
 * nothing of them but identity.
 */
public final class LearnerEdge {

    /** More prompts than one worker ever asks for at once; a larger capacity is a hostile one. */
    public static final int MAX_CAPACITY = 1 << 16;
    /** Ids, addresses and device names are short; anything longer is junk sent to fill the learner's maps. */
    public static final int MAX_NAME = 256;
    /** LiveParameters accepts temperatures in (0, 100]: a sample can have been drawn at no other. */
    public static final double MAX_TEMPERATURE = 100;
    /** More rollout workers than a cluster runs; beyond it hellos with new ids would only grow the learner's map. */
    public static final int MAX_WORKERS = 4096;
    /** The reason a message from a worker that did not say hello is refused. */
    public static final String UNREGISTERED = "unregistered";

    /**
     * What an honest group looks like in this run.
     *
     * @param turnTwoSamples attempts 2 per attempt 1 in a two-turn step (emend.rl.turn2-samples)
     * @param twoTurnsAt whether prompts drawn for a step get attempt 2 (the stage schedule)
     */
    public record Run(int samplesPerPrompt, int turnTwoSamples, int vocabSize, int maxAttemptTokens, Dialogue dialogue,
                      LongPredicate twoTurnsAt) {}

    private final Run run;
    private final int[] instructionSuffix;

    public LearnerEdge(Run run) {
        this.run = run;
        this.instructionSuffix = run.dialogue().instructionSuffix();
    }

    /**
     * @param registered the reply address this worker id said hello with before, or null for a new id
     * @param workers how many workers have said hello
     */
    public Optional<Rejection> hello(WorkerHello hello, Object replyTo, Object registered, int workers) {
        String type = "Hello";
        if (replyTo == null) {
            return refuse(type, "reply_to", "a hello without a reply address");
        }
        if (hello.getWorkerId().isEmpty() || hello.getWorkerId().length() > MAX_NAME || hello.getNodeAddress().length() > MAX_NAME
                || hello.getDevice().length() > MAX_NAME) {
            return refuse(type, "length", "worker id, node address or device empty or over " + MAX_NAME + " characters");
        }
        if (registered != null && !registered.equals(replyTo)) {
            // A restarted worker keeps its address; another actor using a live worker's id would take its work.
            return refuse(type, "worker_id_taken", "worker id " + VerifyCheck.clip(hello.getWorkerId()) + " belongs to another actor");
        }
        if (registered == null && workers >= MAX_WORKERS) {
            return refuse(type, "workers", "already " + workers + " workers registered");
        }
        return Optional.empty();
    }

    /**
     * @param registered the reply address {@code request}'s worker id said hello with, or null
     * @param currentVersion the newest version the learner published: a worker holds it or an older one, or none (-1)
     */
    public Optional<Rejection> requestWork(WorkRequest request, Object replyTo, Object registered, long currentVersion) {
        String type = "RequestWork";
        Optional<Rejection> sender = registeredSender(type, request.getWorkerId(), replyTo, registered);
        if (sender.isPresent()) {
            return sender;
        }
        if (request.getCapacity() < 1 || request.getCapacity() > MAX_CAPACITY) {
            return refuse(type, "capacity", "capacity " + request.getCapacity() + " (1 to " + MAX_CAPACITY + ")");
        }
        if (request.getPolicyVersion() < -1 || request.getPolicyVersion() > currentVersion) {
            // what a worker says it holds reaches admission and the status: a version never published is a lie
            return refuse(type, "policy_version", "policy version " + request.getPolicyVersion() + " (-1, none, or a published one: 0 to "
                    + currentVersion + ")");
        }
        return Optional.empty();
    }

    /**
     * @param registered whether {@code replyTo} is a worker that said hello
     * @param publishedChunks the chunk count of {@code publishedVersion}; requests for other versions are told it is gone
     */
    public Optional<Rejection> fetchChunk(WeightChunkRequest request, Object replyTo, boolean registered, long publishedVersion,
                                          int publishedChunks) {
        String type = "FetchChunk";
        if (replyTo == null) {
            return refuse(type, "reply_to", "a chunk request without a reply address");
        }
        if (!registered) {
            return refuse(type, UNREGISTERED, "a chunk request from an actor that did not say hello");
        }
        if (request.getVersion() == publishedVersion && (request.getIndex() < 0 || request.getIndex() >= publishedChunks)) {
            return refuse(type, "chunk_index", "chunk " + request.getIndex() + " of " + publishedChunks);
        }
        return Optional.empty();
    }

    /** What a submitted result may do. */
    public sealed interface SubmitCheck {}

    /** Not from the worker that holds the lease (or from nobody): dropped without an answer. */
    public record Foreign(Rejection rejection) implements SubmitCheck {}

    /** From the lease's holder but not an honest group: dropped, and the holder told the lease is gone. */
    public record Malformed(Rejection rejection) implements SubmitCheck {}

    /** The group to hand to the ledger: the lease's, checked. */
    public record Admissible(RlooGroup group, long sampleVersion) implements SubmitCheck {}

    /** The lease is not open (a re-send of a completed lease or a result of an expired one): the ledger says which. */
    public record NotOpen() implements SubmitCheck {}

    /** An open lease as the edge sees it: who holds it and what it asked for. */
    public record OpenLease(String holder, PromptDraw draw) {}

    /**
     * @param registered the reply address the result's worker id said hello with, or null
     * @param lease the open lease the result names, if it is open
     * @param currentVersion the newest version the learner has published: no sample can be newer
     */
    public SubmitCheck submit(GroupResult result, Object replyTo, Object registered, Optional<OpenLease> lease,
                              long currentVersion) {
        String type = "Submit";
        Optional<Rejection> sender = registeredSender(type, result.getWorkerId(), replyTo, registered);
        if (sender.isPresent()) {
            return new Foreign(sender.get());
        }
        if (lease.isEmpty()) {
            return new NotOpen();
        }
        if (!lease.get().holder().equals(result.getWorkerId())) {
            return new Foreign(new Rejection(type, "lease_holder", "lease " + result.getLeaseId() + " is held by another worker"));
        }
        Optional<Rejection> bad = group(result, lease.get().draw(), currentVersion);
        if (bad.isPresent()) {
            return new Malformed(bad.get());
        }
        List<Trajectory> rows = new ArrayList<>(result.getTrajectoriesCount());
        long sampleVersion = Long.MAX_VALUE;
        for (emend.proto.Trajectory t : result.getTrajectoriesList()) {
            Trajectory trajectory = TrajectoryCodec.fromProto(t);
            rows.add(trajectory);
            sampleVersion = Math.min(sampleVersion, trajectory.policyVersion());
        }
        try {
            // the sampler's layout (the learner's RLOO groups rest on it), checked where RlooGroup is made
            return new Admissible(new RlooGroup(lease.get().draw().groupId(), shapeAt(lease.get().draw()).rowsPerFirstAttempt(), rows),
                    sampleVersion);
        } catch (IllegalArgumentException e) {
            return new Malformed(new Rejection(type, "first_attempt", e.getMessage()));
        }
    }

    private Optional<Rejection> group(GroupResult result, PromptDraw draw, long currentVersion) {
        String type = "Submit";
        boolean twoTurns = run.twoTurnsAt().test(draw.step());
        int k = shapeAt(draw).rows();
        if (result.getTrajectoriesCount() != k) {
            return refuse(type, "group_size", result.getTrajectoriesCount() + " trajectories; the run samples " + k + " per prompt");
        }
        if (result.getVerifyTimeouts() < 0 || result.getVerifyTimeouts() > k) {
            return refuse(type, "verify_timeouts", result.getVerifyTimeouts() + " verification timeouts for one group");
        }
        int[] prompt = run.dialogue().turnOnePrompt(draw.problem().question());
        Set<String> ids = new HashSet<>();
        for (emend.proto.Trajectory t : result.getTrajectoriesList()) {
            Optional<Rejection> bad = trajectory(t, draw, prompt, twoTurns, currentVersion);
            if (bad.isPresent()) {
                return bad;
            }
            if (!ids.add(t.getId())) {
                return refuse(type, "trajectory_id", "trajectory id " + VerifyCheck.clip(t.getId()) + " twice in one group");
            }
        }
        return Optional.empty();
    }

    /** The group an honest worker samples for {@code draw}'s step (every attempt 1 from the policy). */
    private GroupShape shapeAt(PromptDraw draw) {
        return GroupShape.of(run.samplesPerPrompt(), run.turnTwoSamples(), run.twoTurnsAt().test(draw.step()), 0);
    }

    private Optional<Rejection> trajectory(emend.proto.Trajectory t, PromptDraw draw, int[] prompt, boolean twoTurns, long currentVersion) {
        String type = "Submit";
        if (t.getOfflineFirstAttempt()) {   // the runtime never asks for them (ClusterDriver refuses the setting)
            return refuse(type, "offline_first_attempt", "a row marked as a base-model attempt 1; this run samples every attempt 1 from the policy");
        }
        if (t.getId().isEmpty() || t.getId().length() > MAX_NAME) {
            return refuse(type, "trajectory_id", "a trajectory id empty or over " + MAX_NAME + " characters");
        }
        if (!t.getGroupId().equals(draw.groupId()) || !t.getProblemId().equals(draw.problem().id())) {
            return refuse(type, "problem", "a trajectory of group " + VerifyCheck.clip(t.getGroupId()) + " / problem "
                    + VerifyCheck.clip(t.getProblemId()) + " in the result of the lease on " + draw.groupId() + " / " + draw.problem().id());
        }
        if (t.getPolicyVersion() < 0 || t.getPolicyVersion() > currentVersion) {
            return refuse(type, "policy_version", "policy version " + t.getPolicyVersion() + " (published: 0 to " + currentVersion + ")");
        }
        if (!(t.getTemperature() > 0 && t.getTemperature() <= MAX_TEMPERATURE)) {
            return refuse(type, "temperature", "temperature " + t.getTemperature() + " (0 to " + MAX_TEMPERATURE + ")");
        }
        boolean hasTwo = t.getAttemptTwoCount() > 0;
        if (!binary(t.getRewardOne()) || !binary(t.getRewardTwo()) || (!hasTwo && t.getRewardTwo() != 0)) {
            return refuse(type, "reward", "rewards " + t.getRewardOne() + ", " + t.getRewardTwo() + " (each 0 or 1; 0 without attempt 2)");
        }
        if (!Arrays.equals(ints(t.getPromptOneList()), prompt) || !Arrays.equals(ints(t.getInstructionSuffixList()), instructionSuffix)) {
            return refuse(type, "prompt", "prompt or instruction tokens other than the lease's problem and the run's instruction");
        }
        int max = run.maxAttemptTokens();
        if (t.getAttemptOneCount() < 1 || t.getAttemptOneCount() > max || t.getAttemptTwoCount() > max || (hasTwo && !twoTurns)) {
            return refuse(type, "length", "attempts of " + t.getAttemptOneCount() + " and " + t.getAttemptTwoCount() + " tokens (1 to " + max
                    + ", and none in attempt 2 of a single-turn step)");
        }
        if (!tokenIds(t.getAttemptOneList()) || !tokenIds(t.getAttemptTwoList())) {
            return refuse(type, "token_id", "a token id outside the vocabulary of " + run.vocabSize());
        }
        if (t.getLogProbsOneCount() != t.getAttemptOneCount() || t.getLogProbsTwoCount() != t.getAttemptTwoCount()
                || !logProbs(t.getLogProbsOneList()) || !logProbs(t.getLogProbsTwoList())) {
            return refuse(type, "log_prob", "behaviour log-probs missing, extra, positive or not finite");
        }
        return Optional.empty();
    }

    private Optional<Rejection> registeredSender(String type, String workerId, Object replyTo, Object registered) {
        if (replyTo == null) {
            return refuse(type, "reply_to", "a message without a reply address");
        }
        if (registered == null || !registered.equals(replyTo)) {
            return refuse(type, UNREGISTERED, "worker " + VerifyCheck.clip(workerId) + " did not say hello from this address");
        }
        return Optional.empty();
    }

    private static boolean binary(int reward) {
        return reward == 0 || reward == 1;
    }

    private boolean tokenIds(List<Integer> tokens) {
        for (int id : tokens) {
            if (id < 0 || id >= run.vocabSize()) {
                return false;
            }
        }
        return true;
    }

    /** Log-probabilities: finite and at most 0 (a little over, for float rounding of a near-certain token). */
    private static boolean logProbs(List<Float> values) {
        for (float v : values) {
            if (!Float.isFinite(v) || v > 1e-3f) {
                return false;
            }
        }
        return true;
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Optional<Rejection> refuse(String type, String reason, String detail) {
        return Optional.of(new Rejection(type, reason, detail));
    }
}
