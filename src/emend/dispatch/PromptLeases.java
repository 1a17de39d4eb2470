package emend.dispatch;

import emend.proto.PromptLease;
import emend.rollout.PromptDraw;
import emend.task.Problem;

/** A prompt as the learner draws it and as a worker receives it on the wire: the one conversion each way. */
public final class PromptLeases {

    private PromptLeases() {}

    /**
     * @param twoTurns whether the step the prompt was drawn for samples attempt 2 too
     * @param temperature the sampling temperature in force when it was leased (an operator may change it live)
     */
    public static PromptLease toWire(LeaseTable.Lease<PromptDraw> lease, boolean twoTurns, long timeoutMillis, double temperature) {
        PromptDraw draw = lease.item();
        return PromptLease.newBuilder()
                .setLeaseId(lease.id())
                .setProblemId(draw.problem().id())
                .setQuestion(draw.problem().question())
                .setProblemIndex(draw.problemIndex())
                .setStep(draw.step())
                .setTwoTurns(twoTurns)
                .setTimeoutMs(timeoutMillis)
                .setTemperature(temperature)
                .build();
    }

    /**
     * The draw a lease hands out, as the sampler and the group ids know it. It carries no reference answer: a
     * worker never scores, the verifiers look the problem up in their own set.
     */
    public static PromptDraw draw(PromptLease lease) {
        return new PromptDraw(new Problem(lease.getProblemId(), lease.getQuestion(), ""), lease.getProblemIndex(), lease.getStep());
    }
}
