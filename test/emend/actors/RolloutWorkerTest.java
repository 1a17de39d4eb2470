package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import emend.actors.learner.Learner;
import emend.actors.rollout.RolloutWorker;
import emend.actors.verifier.VerifierActor;
import emend.checkpoint.HfModelConfig;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.WeightChunk;
import emend.run.RuntimeSettings;
import emend.run.Settings;
import emend.testing.TestModels;
import emend.tokenize.ByteTokenizer;
import emend.weights.WeightCodec;
import emend.weights.WeightPublication;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A rollout worker against a scripted learner and verifier: it fetches weights, checks their hash and only then
 * takes work; a verifier that never answers costs a timeout, not the pipeline.
 */
final class RolloutWorkerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void corruptedChunkIsRefetchedBeforeWork_andASilentVerifierCostsOnlyATimeout() {
        ByteTokenizer tokenizer = new ByteTokenizer();
        ModelConfig config = ModelConfig.preset("tiny", tokenizer.vocabSize(), 64);
        byte[] bytes;
        try (NDManager manager = TestModels.manager(); Weights weights = Weights.initialize(config, 3, manager)) {
            bytes = WeightCodec.encode(weights);
        }
        WeightPublication publication = new WeightPublication(5, bytes, 1 << 20, HfModelConfig.toJson(config, tokenizer.specials()));
        int chunks = publication.manifest().getChunkCount();
        TestProbe<Learner.Command> learner = KIT.createTestProbe();
        TestProbe<VerifierActor.Command> verifiers = KIT.createTestProbe();
        KIT.system().receptionist().tell(Receptionist.register(VerifierActor.KEY, verifiers.ref()));
        RuntimeSettings runtime = RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.verify-timeout", "300ms")));
        var worker = KIT.spawn(RolloutWorker.create(new RolloutWorker.Setup("test/rollout-1", "cpu", runtime, learner.ref(), RolloutWorker.POLICY)));

        Learner.Hello hello = learner.expectMessageClass(Learner.Hello.class);
        assertEquals("test/rollout-1", hello.payload().getWorkerId());
        hello.replyTo().tell(new RolloutWorker.Spec(RunSpec.newBuilder().setRunSeed(1).setTask("linear").setInstruction("check it")
                .setTokenizerKind(tokenizer.kind()).setSamplesPerPrompt(2).setMaxAttemptTokens(8)
                .setManifest(publication.manifest()).build()));

        Map<Integer, Integer> fetches = new HashMap<>();
        Learner.RequestWork request = serveChunksUntilWorkIsAsked(learner, publication, 1, fetches);
        assertEquals(chunks, fetches.size(), "every chunk fetched");
        assertEquals(2, fetches.get(1), "chunk 1 arrived corrupted and was fetched again");
        assertEquals(chunks + 1, fetches.values().stream().mapToInt(Integer::intValue).sum(), "only the corrupted chunk was fetched again");
        assertEquals(5, request.payload().getPolicyVersion(), "work is asked for only with the verified version");

        // a verifier that never answers: the group still goes out, scored 0, and the timeout is counted
        request.replyTo().tell(new RolloutWorker.Grant(LeaseGrant.newBuilder().setCurrentVersion(5).addLeases(PromptLease.newBuilder()
                .setLeaseId(11).setProblemId("p").setQuestion("2*x+1=7").setAnswer("3").setProblemIndex(4).setStep(1).setTwoTurns(true).setTemperature(1)).build()));
        VerifierActor.Verify verify = verifiers.expectMessageClass(VerifierActor.Verify.class, Duration.ofSeconds(30));
        assertEquals(4, verify.payload().getAttemptsCount(), "k = 2 attempts 1, then their attempts 2");
        Learner.Submit submit = learner.expectMessageClass(Learner.Submit.class, Duration.ofSeconds(10));
        GroupResult result = submit.payload();
        assertEquals(11, result.getLeaseId());
        assertEquals(1, result.getVerifyTimeouts());
        assertEquals(2, result.getTrajectoriesCount());
        assertTrue(result.getTrajectoriesList().stream().allMatch(t -> t.getRewardOne() == 0 && t.getRewardTwo() == 0
                && t.getPolicyVersion() == 5 && t.getAttemptOneCount() == t.getLogProbsOneCount()));
        KIT.stop(worker);
    }

    /**
     * Answers the worker's chunk requests, counting them per index in {@code fetches}, until it asks for work; the
     * first copy of chunk {@code corrupt} it sends has a bit flipped.
     */
    private static Learner.RequestWork serveChunksUntilWorkIsAsked(TestProbe<Learner.Command> learner, WeightPublication publication,
                                                                   int corrupt, Map<Integer, Integer> fetches) {
        while (true) {
            Learner.Command message = learner.expectMessageClass(Learner.Command.class, Duration.ofSeconds(10));
            if (message instanceof Learner.RequestWork request) {
                return request;
            }
            Learner.FetchChunk fetch = (Learner.FetchChunk) message;
            int index = fetch.payload().getIndex();
            WeightChunk chunk = publication.chunk(index);
            if (fetches.merge(index, 1, Integer::sum) == 1 && index == corrupt) {
                byte[] data = chunk.getData().toByteArray();
                data[3] ^= 0x10;
                chunk = chunk.toBuilder().setData(ByteString.copyFrom(data)).build();
            }
            fetch.replyTo().tell(new RolloutWorker.Chunk(chunk));
        }
    }
}
