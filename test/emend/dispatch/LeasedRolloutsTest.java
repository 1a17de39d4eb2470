package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.proto.GroupResult;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.rollout.GroupScoring;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.RolloutGenerator;
import emend.rollout.Trajectory;
import emend.task.Dialogue;
import emend.tokenize.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class LeasedRolloutsTest {

    private static final Dialogue DIALOGUE = new Dialogue(new ByteTokenizer(), "check");
    private static final RunSpec SPEC = RunSpec.newBuilder().setTask("linear").setProblemSetSha256("abc").setSamplesPerPrompt(2)
            .setTurnTwoSamples(2).setMaxAttemptTokens(16).setRunSeed(9).build();

    private static Trajectory row(String groupId, int firstAttempt, String first, String second) {
        int[] one = DIALOGUE.attemptTokens(first);
        int[] two = second.isEmpty() ? new int[0] : DIALOGUE.attemptTokens(second);
        return new Trajectory(groupId + "/" + firstAttempt, groupId, firstAttempt, "p", 3, 0.5, new int[] {1}, one, new float[one.length],
                new int[0], two, new float[two.length], 0, 0);
    }

    /** A group of one row per attempt 1 with these attempts 1 and no attempt 2. */
    private static RlooGroup group(String groupId, String... firsts) {
        List<Trajectory> rows = new ArrayList<>();
        for (int a = 0; a < firsts.length; a++) {
            rows.add(row(groupId, a, firsts[a], ""));
        }
        return new RlooGroup(groupId, 1, rows);
    }

    private static PromptLease lease(int index, boolean twoTurns, double temperature) {
        return PromptLease.newBuilder().setProblemId("p" + index).setQuestion("q" + index).setProblemIndex(index).setStep(4)
                .setTwoTurns(twoTurns).setTemperature(temperature).build();
    }

    @Test
    void aGroupIsSentAsEachAttemptOneOnceThenEveryAttemptTwo_andItsScoresReadBackTheSameWay() {
        PromptLease lease = PromptLease.newBuilder().setLeaseId(41).setProblemId("p").build();
        RlooGroup group = new RlooGroup("g", 2, List.of(row("g", 0, "x=1", "x=2"), row("g", 0, "x=1", ""), row("g", 1, "x=5", "x=6"),
                row("g", 1, "x=5", "x=7")));
        VerifyRequest request = LeasedRollouts.verifyRequest(SPEC, lease, group, DIALOGUE);
        assertEquals(List.of("x=1", "x=5", "x=2", "", "x=6", "x=7"), request.getAttemptsList());
        assertEquals(41, request.getRequestId());
        assertEquals(6, GroupScoring.scoreCount(group));
        VerifyResult scores = VerifyResult.newBuilder().addAllScores(List.of(1, 0, 0, 1, 1, 0)).build();
        GroupResult result = LeasedRollouts.result(41, "w", 2.5, 1, group, scores);
        assertEquals(List.of(1, 1, 0, 0), result.getTrajectoriesList().stream().map(t -> t.getRewardOne()).toList(),
                "siblings take their shared attempt 1's one score");
        assertEquals(List.of(0, 0, 1, 0), result.getTrajectoriesList().stream().map(t -> t.getRewardTwo()).toList(),
                "row 1 has no attempt 2: 0 whatever the verifier said");
        assertEquals(1, result.getVerifyTimeouts());
    }

    @Test
    void leasesOfDifferentTurnsOrTemperaturesAreSampledInSeparateCalls() {
        List<String> calls = new ArrayList<>();
        RolloutGenerator recording = (prompts, shape, sampling, runSeed, version) -> {
            calls.add(prompts.stream().map(PromptDraw::groupId).toList() + " " + shape + " T=" + sampling.temperature() + " seed " + runSeed);
            return prompts.stream().map(draw -> group(draw.groupId(), "x=1", "x=2")).toList();
        };
        List<PromptLease> leases = List.of(lease(1, true, 0.5), lease(2, false, 0.5), lease(3, true, 0.5), lease(4, true, 1.0));
        List<LeasedRollouts.LeasedGroup> groups = LeasedRollouts.generate(recording, SPEC, 0, leases, 3);
        assertEquals(List.of(
                "[4/1, 4/3] " + new GroupShape(2, 2) + " T=0.5 seed 9",
                "[4/2] " + new GroupShape(2, 0) + " T=0.5 seed 9",
                "[4/4] " + new GroupShape(2, 2) + " T=1.0 seed 9"), calls);
        assertEquals(leases, groups.stream().map(LeasedRollouts.LeasedGroup::lease).toList(), "one group per lease, in the leases' order");
        for (LeasedRollouts.LeasedGroup group : groups) {
            assertEquals(PromptLeases.draw(group.lease()).groupId(), group.group().groupId());
        }
    }

    @Test
    void twoLeasesOnOnePrompt_aReissueTheWorkerGotWhileHoldingTheFirst_shareOneSampling() {
        List<List<String>> calls = new ArrayList<>();
        RolloutGenerator recording = (prompts, shape, sampling, runSeed, version) -> {
            calls.add(prompts.stream().map(PromptDraw::groupId).toList());
            return prompts.stream().map(draw -> group(draw.groupId(), "x=1")).toList();
        };
        PromptLease first = lease(1, true, 0.5).toBuilder().setLeaseId(10).build();
        PromptLease reissued = first.toBuilder().setLeaseId(11).build();
        List<LeasedRollouts.LeasedGroup> groups = LeasedRollouts.generate(recording, SPEC, 0, List.of(first, reissued, lease(2, true, 0.5)), 3);
        assertEquals(List.of(List.of("4/1", "4/2")), calls, "the prompt is sampled once");
        assertEquals(List.of(10L, 11L, 0L), groups.stream().map(group -> group.lease().getLeaseId()).toList());
        assertEquals(1, groups.get(0).group().rows().size(), "each lease gets the prompt's group, not both leases' rows together");
        assertEquals(groups.get(0).group(), groups.get(1).group());
    }

    @Test
    void aLeaseTheGeneratorReturnedNoRowsFor_failsTheGenerationByName() {
        RolloutGenerator dropsOne = (prompts, shape, sampling, runSeed, version) ->
                prompts.stream().skip(1).map(draw -> group(draw.groupId(), "x=1")).toList();
        List<PromptLease> leases = List.of(lease(1, true, 0.5).toBuilder().setLeaseId(71).build(), lease(2, true, 0.5));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> LeasedRollouts.generate(dropsOne, SPEC, 0, leases, 3));
        assertTrue(thrown.getMessage().contains("lease 71"), thrown.getMessage());
    }
}
