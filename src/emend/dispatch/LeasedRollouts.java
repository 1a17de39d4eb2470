package emend.dispatch;

import emend.generate.SamplingConfig;
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
import emend.rollout.TrajectoryCodec;
import emend.task.Dialogue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rollout worker does with its leases, without the actor: sample their groups, lay a group's attempts out for
 * the verifiers ({@link GroupScoring}), and read the scores back into the
 * result the learner admits.
 */
public final class LeasedRollouts {

    private LeasedRollouts() {}

    /** A lease and the RLOO group sampled for it, as one unit from generation to verification. */
    public record LeasedGroup(PromptLease lease, RlooGroup group) {}

    /**
     * Samples the group of each of {@code leases}, in the leases' order; leases that differ in turns or temperature
     * (an operator may change it live) are sampled in separate calls.
     *
     * @throws IllegalStateException if the generator returned no rows for a lease (a generator bug: the lease
     *     would otherwise wait for its timeout)
     */
    public static List<LeasedGroup> generate(RolloutGenerator generator, RunSpec spec, int eos, List<PromptLease> leases, long version) {
        // A prompt is sampled once per batch and sampling: a re-issued lease on a prompt whose first lease the worker
        // still holds draws the very same rows (a row's seed depends on the prompt, not on the lease).
        Map<SamplingKey, Map<String, PromptDraw>> batches = new LinkedHashMap<>();
        for (PromptLease lease : leases) {
            PromptDraw draw = PromptLeases.draw(lease);
            batches.computeIfAbsent(SamplingKey.of(lease), key -> new LinkedHashMap<>()).putIfAbsent(draw.groupId(), draw);
        }
        Map<SamplingKey, Map<String, RlooGroup>> groupsById = new LinkedHashMap<>();
        batches.forEach((key, draws) -> {
            SamplingConfig sampling = SamplingConfig.sampled(key.temperature(), spec.getMaxAttemptTokens(), eos);
            GroupShape shape = GroupShape.of(spec.getSamplesPerPrompt(), spec.getTurnTwoSamples(), key.twoTurns(), 0);
            Map<String, RlooGroup> byId = groupsById.computeIfAbsent(key, k -> new LinkedHashMap<>());
            generator.generateUnscored(List.copyOf(draws.values()), shape, sampling, spec.getRunSeed(), version)
                    .forEach(group -> byId.put(group.groupId(), group));
        });
        List<LeasedGroup> groups = new ArrayList<>(leases.size());
        for (PromptLease lease : leases) {
            String groupId = PromptLeases.draw(lease).groupId();
            RlooGroup group = groupsById.get(SamplingKey.of(lease)).get(groupId);
            if (group == null) {
                throw new IllegalStateException("the generator returned no group for lease " + lease.getLeaseId() + " (group " + groupId + ")");
            }
            groups.add(new LeasedGroup(lease, group));
        }
        return groups;
    }

    private record SamplingKey(boolean twoTurns, double temperature) {
        static SamplingKey of(PromptLease lease) {
            return new SamplingKey(lease.getTwoTurns(), lease.getTemperature());
        }
    }

    /** The verification request of one lease's group (request id = lease id). */
    public static VerifyRequest verifyRequest(RunSpec spec, PromptLease lease, RlooGroup group, Dialogue dialogue) {
        VerifyRequest.Builder request = VerifyRequest.newBuilder().setTask(spec.getTask()).setProblemId(lease.getProblemId())
                .setProblemSetSha256(spec.getProblemSetSha256()).setRequestId(lease.getLeaseId());
        return request.addAllAttempts(GroupScoring.attempts(group, dialogue)).build();
    }

    /**
     * The group with the verifier's scores, as the learner admits it (attempt 2 of a single-turn row is scored 0).
     *
     * @param failedSendings verifications of this group that failed before the one that scored it
     */
    public static GroupResult result(long leaseId, String workerId, double rolloutSeconds, int failedSendings, RlooGroup group,
                                     VerifyResult scores) {
        GroupResult.Builder result = GroupResult.newBuilder().setLeaseId(leaseId).setWorkerId(workerId).setRolloutSeconds(rolloutSeconds)
                .setVerifyTimeouts(failedSendings);
        GroupScoring.scored(group, scores.getScoresList().stream().mapToInt(Integer::intValue).toArray()).rows()
                .forEach(t -> result.addTrajectories(TrajectoryCodec.toProto(t)));
        return result.build();
    }
}
