package emend.actors.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.generate.SamplingConfig;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.tokenize.ByteTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's stand-in generator must submit groups the learner accepts: the run's whole group shape. */
final class StandInsTest {

    private static final Dialogue DIALOGUE = new Dialogue(new ByteTokenizer(), "Check it.");

    @Test
    void standInGroups_haveEveryAttemptOneWithItsSiblings() {
        List<PromptDraw> draws = List.of(new PromptDraw(new Problem("p0", "q", "a"), 0, 1), new PromptDraw(new Problem("p1", "q", "a"), 1, 1));
        for (GroupShape shape : List.of(new GroupShape(3, 3), new GroupShape(4, 1), new GroupShape(4, 0))) {
            List<RlooGroup> groups = new StandIns.Generator(DIALOGUE, 0).generateUnscored(draws, shape, SamplingConfig.sampled(0.5, 8, 2), 1, 0);
            assertEquals(draws.stream().map(PromptDraw::groupId).toList(), groups.stream().map(RlooGroup::groupId).toList());
            List<Trajectory> rows = RlooGroup.rowsOf(groups);
            assertEquals(2 * shape.rows(), rows.size(), shape.toString());
            assertEquals(shape.secondAttemptsEach() > 1 ? "1/0/0.1" : "1/0/1", rows.get(1).id(), "the sampler's row ids");
            for (int r = 0; r < rows.size(); r++) {
                int inGroup = r % shape.rows();
                assertEquals(draws.get(r / shape.rows()).groupId(), rows.get(r).groupId(), shape + " row " + r);
                assertEquals(inGroup / Math.max(1, shape.secondAttemptsEach()), rows.get(r).firstAttempt(), shape + " row " + r);
                assertArrayEquals(DIALOGUE.turnOnePrompt("q"), rows.get(r).promptOne(), "the lease's problem, as the learner checks");
                assertArrayEquals(DIALOGUE.instructionSuffix(), rows.get(r).instructionSuffix(), "the run's instruction");
            }
        }
    }
}
