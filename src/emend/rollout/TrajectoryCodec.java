package emend.rollout;

import java.util.List;

/** Converts trajectories to and from their wire form (proto/emend/v1/runtime.proto), losslessly. */
public final class TrajectoryCodec {

    private TrajectoryCodec() {}

    public static emend.proto.Trajectory toProto(Trajectory t) {
        var b = emend.proto.Trajectory.newBuilder()
                .setId(t.id()).setGroupId(t.groupId()).setFirstAttempt(t.firstAttempt()).setProblemId(t.problemId()).setPolicyVersion(t.policyVersion()).setTemperature(t.temperature())
                .setRewardOne(t.rewardOne()).setRewardTwo(t.rewardTwo()).setOfflineFirstAttempt(t.offlineFirstAttempt());
        for (int v : t.promptOne()) {
            b.addPromptOne(v);
        }
        for (int v : t.attemptOne()) {
            b.addAttemptOne(v);
        }
        for (float v : t.logProbsOne()) {
            b.addLogProbsOne(v);
        }
        for (int v : t.instructionSuffix()) {
            b.addInstructionSuffix(v);
        }
        for (int v : t.attemptTwo()) {
            b.addAttemptTwo(v);
        }
        for (float v : t.logProbsTwo()) {
            b.addLogProbsTwo(v);
        }
        return b.build();
    }

    /**
     * @throws IllegalArgumentException if the message is inconsistent (a log-prob missing for a token, no attempt 1)
     */
    public static Trajectory fromProto(emend.proto.Trajectory p) {
        return new Trajectory(p.getId(), p.getGroupId(), p.getFirstAttempt(), p.getProblemId(), p.getPolicyVersion(), p.getTemperature(),
                ints(p.getPromptOneList()), ints(p.getAttemptOneList()), floats(p.getLogProbsOneList()),
                ints(p.getInstructionSuffixList()), ints(p.getAttemptTwoList()), floats(p.getLogProbsTwoList()),
                p.getRewardOne(), p.getRewardTwo(), p.getOfflineFirstAttempt());
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
