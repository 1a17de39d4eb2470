package emend.rollout;

import emend.task.Problem;

/**
 * One prompt handed to a rollout: the problem, its stable index in the training split and the learner step it
 * was drawn for. Together with the run seed these fix every random choice of its RLOO group.
 */
public record PromptDraw(Problem problem, int problemIndex, long step) {

    /** The RLOO group id shared by the prompt's samples. */
    public String groupId() {
        return step + "/" + problemIndex;
    }
}
