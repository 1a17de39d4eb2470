package emend.testing;

import emend.proto.GroupResult;
import emend.proto.PromptLease;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.rollout.TrajectoryCodec;
import emend.task.Dialogue;
import emend.task.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rollouts an honest worker could have produced, without a model: the dialogue's real prompt, short answers as
 * attempts and the sampler's row layout, so they pass the learner's edge checks. For runtime tests that script a
 * worker.
 */
public final class HonestGroups {

    private HonestGroups() {}

    /**
     * The scored group a holder of {@code lease} at {@code version} sends: k = 2 dialogues (two turns), attempt 1 of
     * dialogue s earning s and every attempt 2 earning 1.
     */
    public static GroupResult group(PromptLease lease, String workerId, long version, Dialogue dialogue) {
        PromptDraw draw = new PromptDraw(new Problem(lease.getProblemId(), lease.getQuestion(), ""), lease.getProblemIndex(), lease.getStep());
        GroupResult.Builder result = GroupResult.newBuilder().setLeaseId(lease.getLeaseId()).setWorkerId(workerId);
        List<Trajectory> rows = groups(List.of(draw), 2, true, lease.getTemperature(), version, dialogue).get(0).rows();
        for (int s = 0; s < rows.size(); s++) {
            result.addTrajectories(TrajectoryCodec.toProto(rows.get(s).withRewards(s, 1)));
        }
        return result.build();
    }

    /** A group of {@code k} unscored dialogues per prompt, laid out as the sampler lays them out (one attempt 2 each). */
    public static List<RlooGroup> groups(List<PromptDraw> prompts, int k, boolean twoTurns, double temperature, long version,
                                         Dialogue dialogue) {
        List<RlooGroup> groups = new ArrayList<>();
        for (PromptDraw draw : prompts) {
            List<Trajectory> rows = new ArrayList<>();
            for (int s = 0; s < k; s++) {
                int[] one = dialogue.attemptTokens("x=" + s);
                int[] two = twoTurns ? dialogue.attemptTokens("x=" + (s + 1)) : new int[0];
                float[] lp1 = new float[one.length];
                float[] lp2 = new float[two.length];
                Arrays.fill(lp1, -1f);
                Arrays.fill(lp2, -1f);
                rows.add(new Trajectory(draw.groupId() + "/" + s, draw.groupId(), s, draw.problem().id(), version, temperature,
                        dialogue.turnOnePrompt(draw.problem().question()), one, lp1, dialogue.instructionSuffix(), two, lp2, 0, 0));
            }
            groups.add(new RlooGroup(draw.groupId(), 1, rows));
        }
        return groups;
    }
}
