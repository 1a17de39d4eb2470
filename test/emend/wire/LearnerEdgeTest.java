package emend.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import emend.proto.GroupResult;
import emend.proto.WeightChunkRequest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rollout.PromptDraw;
import emend.rollout.Trajectory;
import emend.rollout.TrajectoryCodec;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.tokenize.ByteTokenizer;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The learner's edge, one rule per test: an honest group passes, each kind of lie is refused with its reason. */
final class LearnerEdgeTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final Dialogue DIALOGUE = new Dialogue(TOKENIZER, "check it");
    /** Step 3 is single-turn, every other step two-turn. */
    private static final LearnerEdge EDGE = new LearnerEdge(new LearnerEdge.Run(2, 1, TOKENIZER.vocabSize(), 16, DIALOGUE, step -> step != 3));
    private static final Object WORKER = new Object();
    private static final PromptDraw DRAW = new PromptDraw(new Problem("p7", "2*x+1=7", "3"), 4, 1);
    private static final LearnerEdge.OpenLease LEASE = new LearnerEdge.OpenLease("w", DRAW);

    /** The honest group of {@link #LEASE} at version 2, each trajectory passed through {@code lie}. */
    private static GroupResult group(UnaryOperator<emend.proto.Trajectory.Builder> lie) {
        GroupResult.Builder result = GroupResult.newBuilder().setLeaseId(11).setWorkerId("w");
        for (int s = 0; s < 2; s++) {
            int[] one = DIALOGUE.attemptTokens("x=" + s);
            int[] two = DIALOGUE.attemptTokens("x=3");
            float[] lp1 = new float[one.length];
            float[] lp2 = new float[two.length];
            Arrays.fill(lp1, -0.5f);
            Arrays.fill(lp2, -0.25f);
            Trajectory t = new Trajectory(DRAW.groupId() + "/" + s, DRAW.groupId(), s, "p7", 2, 1.0, DIALOGUE.turnOnePrompt("2*x+1=7"), one, lp1,
                    DIALOGUE.instructionSuffix(), two, lp2, s, 1);
            result.addTrajectories(lie.apply(TrajectoryCodec.toProto(t).toBuilder()));
        }
        return result.build();
    }

    private static LearnerEdge.SubmitCheck submit(GroupResult result) {
        return EDGE.submit(result, WORKER, WORKER, Optional.of(LEASE), 2);
    }

    private static String malformed(UnaryOperator<emend.proto.Trajectory.Builder> lie) {
        return assertInstanceOf(LearnerEdge.Malformed.class, submit(group(lie))).rejection().reason();
    }

    @Test
    void honestGroup_isAdmissibleWithItsOldestVersion() {
        LearnerEdge.Admissible ok = assertInstanceOf(LearnerEdge.Admissible.class, submit(group(t -> t)));
        assertEquals(2, ok.group().rows().size());
        assertEquals(2, ok.sampleVersion());
    }

    @Test
    void resultWithoutReplyAddressOrFromAnotherAddress_isForeign() {
        assertEquals("reply_to", assertInstanceOf(LearnerEdge.Foreign.class, EDGE.submit(group(t -> t), null, WORKER, Optional.of(LEASE), 2))
                .rejection().reason());
        assertEquals("unregistered", assertInstanceOf(LearnerEdge.Foreign.class,
                EDGE.submit(group(t -> t), new Object(), WORKER, Optional.of(LEASE), 2)).rejection().reason());
        assertEquals("unregistered", assertInstanceOf(LearnerEdge.Foreign.class,
                EDGE.submit(group(t -> t), WORKER, null, Optional.of(LEASE), 2)).rejection().reason());
    }

    @Test
    void resultForALeaseAnotherWorkerHolds_isForeign() {
        LearnerEdge.OpenLease others = new LearnerEdge.OpenLease("someone-else", DRAW);
        assertEquals("lease_holder", assertInstanceOf(LearnerEdge.Foreign.class, EDGE.submit(group(t -> t), WORKER, WORKER, Optional.of(others), 2))
                .rejection().reason());
    }

    @Test
    void resultForALeaseNotOpen_goesToTheLedgerWithoutItsGroup() {
        assertInstanceOf(LearnerEdge.NotOpen.class, EDGE.submit(group(t -> t), WORKER, WORKER, Optional.empty(), 2));
    }

    @Test
    void groupOfTheWrongSize_isMalformed() {
        GroupResult three = group(t -> t).toBuilder().addTrajectories(group(t -> t).getTrajectories(0)).build();
        assertEquals("group_size", assertInstanceOf(LearnerEdge.Malformed.class, submit(three)).rejection().reason());
        assertEquals("group_size", assertInstanceOf(LearnerEdge.Malformed.class, submit(group(t -> t).toBuilder().clearTrajectories().build()))
                .rejection().reason());
    }

    @Test
    void rewardsOutsideZeroOne_orATurnTwoRewardWithoutTurnTwo_areMalformed() {
        assertEquals("reward", malformed(t -> t.setRewardOne(2)));
        assertEquals("reward", malformed(t -> t.setRewardTwo(-1)));
    }

    @Test
    void tokenIdsOutsideTheVocabulary_areMalformed() {
        assertEquals("token_id", malformed(t -> t.setAttemptOne(0, TOKENIZER.vocabSize())));
        assertEquals("token_id", malformed(t -> t.setAttemptTwo(0, -1)));
    }

    @Test
    void aPromptOrInstructionOtherThanTheLeases_isMalformed() {
        assertEquals("prompt", malformed(t -> t.setPromptOne(3, 'y')));
        assertEquals("prompt", malformed(t -> t.addInstructionSuffix(5)));
    }

    @Test
    void attemptsOverTheBudgetOrEmpty_orATurnTwoInASingleTurnStep_areMalformed() {
        assertEquals("length", malformed(t -> {
            for (int i = 0; i < 20; i++) {
                t.addAttemptOne(65).addLogProbsOne(-1f);
            }
            return t;
        }));
        assertEquals("length", malformed(t -> t.clearAttemptOne().clearLogProbsOne()));
        PromptDraw singleTurn = new PromptDraw(DRAW.problem(), 4, 3);
        GroupResult result = group(t -> t.setGroupId(singleTurn.groupId()));
        LearnerEdge.SubmitCheck check = EDGE.submit(result, WORKER, WORKER, Optional.of(new LearnerEdge.OpenLease("w", singleTurn)), 2);
        assertEquals("length", assertInstanceOf(LearnerEdge.Malformed.class, check).rejection().reason());
    }

    @Test
    void logProbsMissingPositiveOrNotFinite_areMalformed() {
        assertEquals("log_prob", malformed(t -> t.addLogProbsOne(-1f)));
        assertEquals("log_prob", malformed(t -> t.setLogProbsOne(0, 3f)));
        assertEquals("log_prob", malformed(t -> t.setLogProbsTwo(0, Float.NaN)));
    }

    @Test
    void aVersionTheLearnerNeverPublished_isMalformed() {
        assertEquals("policy_version", malformed(t -> t.setPolicyVersion(3)));
        assertEquals("policy_version", malformed(t -> t.setPolicyVersion(-1)));
    }

    @Test
    void aTemperatureNoOperatorCouldSet_isMalformed() {
        assertEquals("temperature", malformed(t -> t.setTemperature(0)));
        assertEquals("temperature", malformed(t -> t.setTemperature(Double.POSITIVE_INFINITY)));
        assertEquals("temperature", malformed(t -> t.setTemperature(101)));
    }

    @Test
    void anotherProblemOrGroup_isMalformed() {
        assertEquals("problem", malformed(t -> t.setProblemId("p8")));
        assertEquals("problem", malformed(t -> t.setGroupId("9/9")));
    }

    @Test
    void duplicateOrEmptyTrajectoryIds_areMalformed() {
        assertEquals("trajectory_id", malformed(t -> t.setId("same")));
        assertEquals("trajectory_id", malformed(t -> t.setId("")));
    }

    @Test
    void moreVerifyTimeoutsThanSamples_isMalformed() {
        assertEquals("verify_timeouts", assertInstanceOf(LearnerEdge.Malformed.class, submit(group(t -> t).toBuilder().setVerifyTimeouts(3).build()))
                .rejection().reason());
    }

    @Test
    void requestWork_needsARegisteredSenderACapacityInRange_andAVersionThatWasPublished() {
        WorkRequest ok = WorkRequest.newBuilder().setWorkerId("w").setCapacity(4).setPolicyVersion(3).build();
        assertEquals(Optional.empty(), EDGE.requestWork(ok, WORKER, WORKER, 3));
        assertEquals(Optional.empty(), EDGE.requestWork(ok.toBuilder().setPolicyVersion(-1).build(), WORKER, WORKER, 3), "holds none yet");
        assertEquals(Optional.empty(), EDGE.requestWork(ok.toBuilder().setPolicyVersion(0).build(), WORKER, WORKER, 3));
        assertEquals("policy_version", EDGE.requestWork(ok, WORKER, WORKER, 2).orElseThrow().reason(), "never published");
        assertEquals("policy_version", EDGE.requestWork(ok.toBuilder().setPolicyVersion(-2).build(), WORKER, WORKER, 3).orElseThrow().reason());
        assertEquals("policy_version", EDGE.requestWork(ok.toBuilder().setPolicyVersion(Long.MIN_VALUE).build(), WORKER, WORKER, 3)
                .orElseThrow().reason());
        assertEquals("capacity", EDGE.requestWork(ok.toBuilder().setCapacity(-1).build(), WORKER, WORKER, 3).orElseThrow().reason());
        assertEquals("capacity", EDGE.requestWork(ok.toBuilder().setCapacity(0).build(), WORKER, WORKER, 3).orElseThrow().reason());
        assertEquals("capacity", EDGE.requestWork(ok.toBuilder().setCapacity(LearnerEdge.MAX_CAPACITY + 1).build(), WORKER, WORKER, 3)
                .orElseThrow().reason());
        assertEquals("unregistered", EDGE.requestWork(ok, WORKER, null, 3).orElseThrow().reason());
        assertEquals("reply_to", EDGE.requestWork(ok, null, WORKER, 3).orElseThrow().reason());
    }

    @Test
    void fetchChunk_needsARegisteredSenderAndAnIndexOfThePublishedVersion() {
        WeightChunkRequest ok = WeightChunkRequest.newBuilder().setVersion(5).setIndex(2).build();
        assertEquals(Optional.empty(), EDGE.fetchChunk(ok, WORKER, true, 5, 3));
        assertEquals("chunk_index", EDGE.fetchChunk(ok.toBuilder().setIndex(3).build(), WORKER, true, 5, 3).orElseThrow().reason());
        assertEquals("chunk_index", EDGE.fetchChunk(ok.toBuilder().setIndex(-1).build(), WORKER, true, 5, 3).orElseThrow().reason());
        assertEquals(Optional.empty(), EDGE.fetchChunk(ok.toBuilder().setVersion(4).setIndex(99).build(), WORKER, true, 5, 3),
                "another version: the learner answers that it is gone");
        assertEquals("unregistered", EDGE.fetchChunk(ok, WORKER, false, 5, 3).orElseThrow().reason());
        assertEquals("reply_to", EDGE.fetchChunk(ok, null, true, 5, 3).orElseThrow().reason());
    }

    @Test
    void hello_needsAReplyAddressShortNamesAndAnIdNoOtherActorHolds() {
        WorkerHello ok = WorkerHello.newBuilder().setWorkerId("w").setDevice("cpu").build();
        assertEquals(Optional.empty(), EDGE.hello(ok, WORKER, null, 0));
        assertEquals(Optional.empty(), EDGE.hello(ok, WORKER, WORKER, 1), "a restarted worker says hello again");
        assertEquals("worker_id_taken", EDGE.hello(ok, new Object(), WORKER, 1).orElseThrow().reason());
        assertEquals("length", EDGE.hello(ok.toBuilder().setWorkerId("").build(), WORKER, null, 0).orElseThrow().reason());
        assertEquals("length", EDGE.hello(ok.toBuilder().setDevice("x".repeat(LearnerEdge.MAX_NAME + 1)).build(), WORKER, null, 0)
                .orElseThrow().reason());
        assertEquals("reply_to", EDGE.hello(ok, null, null, 0).orElseThrow().reason());
    }

    @Test
    void hello_ofANewWorkerBeyondTheBound_isRefused() {
        WorkerHello ok = WorkerHello.newBuilder().setWorkerId("w").build();
        assertEquals("workers", EDGE.hello(ok, WORKER, null, LearnerEdge.MAX_WORKERS).orElseThrow().reason());
        assertEquals(Optional.empty(), EDGE.hello(ok, WORKER, WORKER, LearnerEdge.MAX_WORKERS), "a known worker is not a new one");
    }
}
