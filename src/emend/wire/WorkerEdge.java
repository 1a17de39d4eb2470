package emend.wire;

import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import emend.weights.WeightPublication;
import java.util.Optional;

/**
 * A rollout worker's edge. The learner is whoever answers the worker's hello: a spec, a grant and a new version
 * must echo the hello's random nonce (which only the learner saw) and carry the spec's learner epoch, so neither
 * work nor weights nor the stream address they are fetched from can come from anyone else, a cluster member that
 * knows the epoch included. Chunks need no origin: each is checked against its digest in a manifest that passed
 * these checks. The one message of another epoch a worker takes is a grant without leases: a learner that moved
 * or restarted tells a worker it does not know to say hello.
 */
public final class WorkerEdge {

    /** Far beyond any RLOO group; a larger k would make every generation a flood. */
    public static final int MAX_SAMPLES_PER_PROMPT = 1024;
    public static final int MAX_ATTEMPT_TOKENS = 1 << 16;
    /** Questions, instructions and tokenizer names far longer than any problem set holds are junk. */
    public static final int MAX_TEXT = 1 << 16;

    private WorkerEdge() {}

    /** @param nonce the nonce of this worker's hello */
    public static Optional<Rejection> spec(RunSpec spec, long nonce) {
        String type = "Spec";
        if (spec.getHelloNonce() != nonce) {
            return refuse(type, "hello_nonce", "a spec that does not answer this worker's hello");
        }
        if (spec.getSamplesPerPrompt() < 1 || spec.getSamplesPerPrompt() > MAX_SAMPLES_PER_PROMPT) {
            return refuse(type, "samples_per_prompt", spec.getSamplesPerPrompt() + " samples per prompt");
        }
        if (spec.getTurnTwoSamples() < 0 || spec.getTurnTwoSamples() > MAX_SAMPLES_PER_PROMPT) {
            return refuse(type, "turn_two_samples", spec.getTurnTwoSamples() + " attempts 2 per attempt 1");
        }
        if (spec.getMaxAttemptTokens() < 1 || spec.getMaxAttemptTokens() > MAX_ATTEMPT_TOKENS) {
            return refuse(type, "max_attempt_tokens", spec.getMaxAttemptTokens() + " tokens per attempt");
        }
        if (spec.getTokenizerKind().isEmpty() || spec.getTokenizerKind().length() > MAX_TEXT || spec.getInstruction().length() > MAX_TEXT) {
            return refuse(type, "length", "a tokenizer kind or instruction empty or over " + MAX_TEXT + " characters");
        }
        return ManifestCheck.check(type, spec.getManifest());
    }

    /**
     * @param spec the spec this worker holds, or null before it has one
     * @param nonce the nonce of this worker's hello
     * @param maxLeases the most prompts this worker asks for at once
     */
    public static Optional<Rejection> grant(LeaseGrant grant, RunSpec spec, long nonce, int maxLeases) {
        String type = "Grant";
        if (spec == null) {
            return refuse(type, "unregistered", "a grant before this worker has the learner's spec");
        }
        boolean ownLearner = grant.getLearnerEpoch() == spec.getLearnerEpoch();
        if (ownLearner ? grant.getWorkerNonce() != nonce : grant.getLeasesCount() > 0) {
            return refuse(type, "worker_nonce", "a grant that does not answer this worker's requests");
        }
        if (grant.getLeasesCount() > maxLeases) {
            return refuse(type, "leases", grant.getLeasesCount() + " leases; this worker asks for at most " + maxLeases);
        }
        for (PromptLease lease : grant.getLeasesList()) {
            if (lease.getProblemId().isEmpty() || lease.getProblemId().length() > LearnerEdge.MAX_NAME || lease.getQuestion().isBlank()
                    || lease.getQuestion().length() > MAX_TEXT || lease.getProblemIndex() < 0 || lease.getStep() < 0) {
                return refuse(type, "lease", "lease " + lease.getLeaseId() + " has no problem id or question, or one too long, or a negative index");
            }
            if (!(lease.getTemperature() > 0 && lease.getTemperature() <= LearnerEdge.MAX_TEMPERATURE)) {
                return refuse(type, "temperature", "lease " + lease.getLeaseId() + " at temperature " + lease.getTemperature());
            }
        }
        return Optional.empty();
    }

    /**
     * @param spec the spec this worker holds, or null before it has one
     * @param nonce the nonce of this worker's hello
     */
    public static Optional<Rejection> newVersion(WeightManifest manifest, RunSpec spec, long nonce) {
        String type = "NewVersion";
        if (spec == null) {
            return refuse(type, "unregistered", "a new version before this worker has the learner's spec");
        }
        if (manifest.getLearnerEpoch() != spec.getLearnerEpoch()) {
            return refuse(type, "learner_epoch", "version " + manifest.getVersion() + " from learner epoch " + manifest.getLearnerEpoch()
                    + ", not this worker's learner (" + spec.getLearnerEpoch() + ")");
        }
        if (manifest.getWorkerNonce() != nonce) {
            return refuse(type, "worker_nonce", "version " + manifest.getVersion() + " not addressed to this worker by its learner");
        }
        return ManifestCheck.check(type, manifest);
    }

    /** @param chunks the chunk count of the version being fetched */
    public static Optional<Rejection> chunk(WeightChunk chunk, int chunks) {
        if (chunk.getIndex() < 0 || chunk.getIndex() >= chunks || chunk.getData().size() > WeightPublication.MAX_CHUNK_BYTES) {
            return refuse("Chunk", "chunk_index", "chunk " + chunk.getIndex() + " of " + chunks + " (" + chunk.getData().size() + " bytes)");
        }
        return Optional.empty();
    }

    /** A verifier's scores, usable when there is one per attempt and each is 0 or 1. */
    public static Optional<Rejection> verified(VerifyResult result, int attempts) {
        if (!result.getError().isEmpty()) {
            return Optional.empty();
        }
        if (result.getScoresCount() != attempts || result.getScoresList().stream().anyMatch(s -> s != 0 && s != 1)) {
            return refuse("Verified", "scores", result.getScoresCount() + " scores for " + attempts + " attempts, each must be 0 or 1");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> refuse(String type, String reason, String detail) {
        return Optional.of(new Rejection(type, reason, detail));
    }
}
