package emend.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import emend.checkpoint.HfModelConfig;
import emend.model.ModelConfig;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.ScaleWorkers;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import emend.tokenize.ByteTokenizer;
import emend.weights.WeightPublication;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A worker's edge, a manifest's consistency and a node agent's scaling bound: one rule per test. */
final class WorkerEdgeTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final ModelConfig CONFIG = ModelConfig.preset("tiny", TOKENIZER.vocabSize(), 64);
    /** Version 5 of the tiny model (its values do not matter here, only its layout), in 64 KiB chunks. */
    private static final WeightManifest MANIFEST = new WeightPublication(5, new byte[Math.toIntExact(CONFIG.parameterCount() * 4)], 1 << 16,
            HfModelConfig.toJson(CONFIG, TOKENIZER.specials())).manifest().toBuilder().setLearnerEpoch(77).build();
    private static final RunSpec SPEC = RunSpec.newBuilder().setHelloNonce(42).setLearnerEpoch(77).setSamplesPerPrompt(2).setMaxAttemptTokens(64)
            .setTokenizerKind(TOKENIZER.kind()).setInstruction("check it").setManifest(MANIFEST).build();

    private static String reason(Optional<Rejection> rejection) {
        return rejection.orElseThrow().reason();
    }

    @Test
    void spec_isTakenOnlyAsTheAnswerToThisWorkersHello() {
        assertEquals(Optional.empty(), WorkerEdge.spec(SPEC, 42));
        assertEquals("hello_nonce", reason(WorkerEdge.spec(SPEC, 43)));
    }

    @Test
    void spec_withAGroupSizeOrAttemptBudgetOutOfRange_isRefused() {
        assertEquals("samples_per_prompt", reason(WorkerEdge.spec(SPEC.toBuilder().setSamplesPerPrompt(0).build(), 42)));
        assertEquals("samples_per_prompt", reason(WorkerEdge.spec(SPEC.toBuilder().setSamplesPerPrompt(1 << 20).build(), 42)));
        assertEquals("max_attempt_tokens", reason(WorkerEdge.spec(SPEC.toBuilder().setMaxAttemptTokens(-5).build(), 42)));
        assertEquals("length", reason(WorkerEdge.spec(SPEC.toBuilder().setTokenizerKind("").build(), 42)));
    }

    @Test
    void newVersion_isTakenOnlyFromTheSpecsLearner_addressedToThisWorker() {
        WeightManifest addressed = MANIFEST.toBuilder().setWorkerNonce(42).build();
        assertEquals(Optional.empty(), WorkerEdge.newVersion(addressed, SPEC, 42));
        assertEquals("learner_epoch", reason(WorkerEdge.newVersion(addressed.toBuilder().setVersion(Long.MAX_VALUE).setLearnerEpoch(78).build(),
                SPEC, 42)));
        // a cluster member that knows the epoch still cannot pin the worker: it does not know the nonce
        assertEquals("worker_nonce", reason(WorkerEdge.newVersion(addressed.toBuilder().setVersion(Long.MAX_VALUE).setWorkerNonce(7).build(),
                SPEC, 42)));
        assertEquals("unregistered", reason(WorkerEdge.newVersion(addressed, null, 42)));
    }

    @Test
    void manifest_whoseByteSizeDoesNotFitItsModel_isRefused() {
        assertEquals("byte_size", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setByteSize(1L << 40).build())));
        assertEquals("byte_size", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setByteSize(MANIFEST.getByteSize() - 4).build())));
    }

    @Test
    void manifest_withChunksOrDigestsThatDoNotAddUp_isRefused() {
        assertEquals("chunks", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setChunkCount(MANIFEST.getChunkCount() + 1).build())));
        assertEquals("chunks", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setChunkBytes(0).build())));
        assertEquals("digest", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setSha256("00").build())));
        assertEquals("digest", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setChunkSha256(0, ByteString.copyFromUtf8("x")).build())));
    }

    @Test
    void manifest_ofAnotherEncodingOrModelOrVersion_isRefused() {
        assertEquals("encoding", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setEncoding("f16").build())));
        assertEquals("model_config", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setModelConfigJson("{").build())));
        assertEquals("version", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setVersion(-1).build())));
        assertEquals("stream_address", reason(ManifestCheck.check("NewVersion", MANIFEST.toBuilder().setStreamAddress("h".repeat(400)).build())));
    }

    @Test
    void grant_beforeASpecOrWithMoreLeasesThanAskedOrJunkLeases_isRefused() {
        PromptLease lease = PromptLease.newBuilder().setLeaseId(1).setProblemId("p").setQuestion("2*x=4").setTemperature(1).build();
        LeaseGrant ok = LeaseGrant.newBuilder().setLearnerEpoch(77).setWorkerNonce(42).addLeases(lease).build();
        assertEquals(Optional.empty(), WorkerEdge.grant(ok, SPEC, 42, 1));
        assertEquals("unregistered", reason(WorkerEdge.grant(ok, null, 42, 1)));
        assertEquals("leases", reason(WorkerEdge.grant(ok.toBuilder().addLeases(lease).build(), SPEC, 42, 1)));
        assertEquals("lease", reason(WorkerEdge.grant(ok.toBuilder().setLeases(0, lease.toBuilder().setQuestion("")).build(), SPEC, 42, 1)));
        assertEquals("lease", reason(WorkerEdge.grant(ok.toBuilder().setLeases(0, lease.toBuilder().setStep(-1)).build(), SPEC, 42, 1)));
        assertEquals("temperature", reason(WorkerEdge.grant(ok.toBuilder().setLeases(0, lease.toBuilder().setTemperature(Double.NaN)).build(),
                SPEC, 42, 1)));
    }

    @Test
    void grant_notAddressedToThisWorker_isRefused_butAnotherLearnersEmptyGrantIsTaken() {
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setLearnerEpoch(77).setWorkerNonce(7)
                .addLeases(PromptLease.newBuilder().setLeaseId(1).setProblemId("p").setQuestion("q").setTemperature(1));
        assertEquals("worker_nonce", reason(WorkerEdge.grant(grant.build(), SPEC, 42, 1)));
        assertEquals("worker_nonce", reason(WorkerEdge.grant(grant.setLearnerEpoch(78).build(), SPEC, 42, 1)));
        assertEquals(Optional.empty(), WorkerEdge.grant(grant.clearLeases().build(), SPEC, 42, 1), "a moved learner: say hello to it");
    }

    @Test
    void chunk_outsideTheVersion_isRefused() {
        assertEquals(Optional.empty(), WorkerEdge.chunk(WeightChunk.newBuilder().setIndex(2).build(), 3));
        assertEquals("chunk_index", reason(WorkerEdge.chunk(WeightChunk.newBuilder().setIndex(3).build(), 3)));
        assertEquals("chunk_index", reason(WorkerEdge.chunk(WeightChunk.newBuilder().setIndex(-1).build(), 3)));
    }

    @Test
    void verifiedScores_mustBeOnePerAttemptAndZeroOrOne() {
        assertEquals(Optional.empty(), WorkerEdge.verified(VerifyResult.newBuilder().addScores(1).addScores(0).build(), 2));
        assertEquals(Optional.empty(), WorkerEdge.verified(VerifyResult.newBuilder().setError("refused").build(), 2), "an error scores 0 anyway");
        assertEquals("scores", reason(WorkerEdge.verified(VerifyResult.newBuilder().addScores(1).addScores(7).build(), 2)));
        assertEquals("scores", reason(WorkerEdge.verified(VerifyResult.newBuilder().addScores(1).build(), 2)));
    }

    @Test
    void scale_staysWithinTheNodesBound() {
        Object replyTo = new Object();
        assertEquals(Optional.empty(), NodeEdge.scale(ScaleWorkers.newBuilder().setRolloutWorkers(8).build(), replyTo, 8));
        assertEquals("workers", reason(NodeEdge.scale(ScaleWorkers.newBuilder().setRolloutWorkers(-1).build(), replyTo, 8)));
        assertEquals("workers", reason(NodeEdge.scale(ScaleWorkers.newBuilder().setRolloutWorkers(9).build(), replyTo, 8)));
        assertEquals("reply_to", reason(NodeEdge.scale(ScaleWorkers.newBuilder().setRolloutWorkers(1).build(), null, 8)));
    }

    @Test
    void aRequestWithoutAReplyAddress_isRefused() {
        assertEquals("reply_to", reason(Replies.missing("Drain", null)));
        assertEquals(Optional.empty(), Replies.missing("Drain", new Object()));
    }
}
