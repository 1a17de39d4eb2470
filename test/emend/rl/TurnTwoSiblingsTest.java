package emend.rl;

import emend.rollout.GroupShape;
import emend.rollout.Trajectory;
import emend.testing.Groups;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RLOO with turn-2 siblings (emend.rl.turn2-samples > 1) and the joint normalisation, against values computed by
 * hand.
 */
final class TurnTwoSiblingsTest {

    private static final int[] PROMPT = {1, 3, 10, 4};

    private static Trajectory row(String group, int firstAttempt, int sibling, int r1, int r2) {
        int[] one = {20 + firstAttempt, 2};
        int[] two = {30 + sibling, 2};
        return new Trajectory(group + "/" + firstAttempt + "." + sibling, group, firstAttempt, "p", 0, 1.0, PROMPT, one, new float[2],
                new int[] {3}, two, new float[2], r1, r2);
    }

    /** Two attempts 1 (wrong, right), two attempts 2 each: (0→1, 0→0), (1→1, 1→1). */
    private static List<Trajectory> group() {
        return List.of(row("g", 0, 0, 0, 1), row("g", 0, 1, 0, 0), row("g", 1, 0, 1, 1), row("g", 1, 1, 1, 1));
    }

    private static double[][] advantages(List<Trajectory> batch, Stage stage, AdvantageNormalization normalization) {
        ObjectiveSettings paper = new ObjectiveSettings(10, 0.01, 0.1, KlEstimator.K3, false, 0.2, normalization, false);
        return ScoreLearner.advantagesPerTurn(Groups.of(batch), ScoreLearner.shapedRewards(batch, stage, paper), stage, normalization);
    }

    @Test
    void turnTwoBaselineIsTheSiblingsOfTheSameAttemptOne_turnOneCountsEachAttemptOnce() {
        // turn 2 (alpha 10): 11, 0 | 1, 1 -> siblings' RLOO 11, -11 | 0, 0
        // turn 1: one reward per attempt 1 (0, 1) -> RLOO -1, +1 (the four rows taken as four samples would give -2/3, +2/3)
        double[][] raw = advantages(group(), Stage.STAGE_TWO, AdvantageNormalization.NONE);
        assertArrayEquals(new double[] {-1, 11}, raw[0], 1e-12);
        assertArrayEquals(new double[] {-1, -11}, raw[1], 1e-12);
        assertArrayEquals(new double[] {1, 0}, raw[2], 1e-12);
        assertArrayEquals(new double[] {1, 0}, raw[3], 1e-12);
    }

    @Test
    void jointNormalisation_dividesBothTurnsByThePooledRootMeanSquare() {
        // pooled over the turns Stage II rewards: (-1)^2 + 1^2 + 11^2 + (-11)^2 + 0 + 0 = 244 over 6 values
        double scale = Math.sqrt(244.0 / 6) + 1e-6;
        double[][] joint = advantages(group(), Stage.STAGE_TWO, AdvantageNormalization.JOINT);
        assertArrayEquals(new double[] {-1 / scale, 11 / scale}, joint[0], 1e-9);
        assertArrayEquals(new double[] {1 / scale, 0}, joint[3], 1e-9);
        // three attempts 1 (right, wrong, wrong; one attempt 2 each, all wrong): turn-1 RLOO 1, -0.5, -0.5; turn-2 rewards
        // r2 + 10·(r2 − r1) = -10, 0, 0, RLOO -10, 5, 5; pooled (1 + 0.25 + 0.25 + 100 + 25 + 25) / 6
        List<Trajectory> three = List.of(row("t", 0, 0, 1, 0), row("t", 1, 0, 0, 0), row("t", 2, 0, 0, 0));
        double threeScale = Math.sqrt(151.5 / 6) + 1e-6;
        double[][] threeJoint = advantages(three, Stage.STAGE_TWO, AdvantageNormalization.JOINT);
        assertArrayEquals(new double[] {1 / threeScale, -10 / threeScale}, threeJoint[0], 1e-9);
        assertArrayEquals(new double[] {-0.5 / threeScale, 5 / threeScale}, threeJoint[1], 1e-9);
        // Stage I rewards no attempt 1: only turn 2 is pooled (r2 alone: 1, 0 | 1, 1 -> 1, -1 | 0, 0; 2 over 4)
        double[][] stageOne = advantages(group(), Stage.STAGE_ONE, AdvantageNormalization.JOINT);
        assertEquals(1 / (Math.sqrt(2.0 / 4) + 1e-6), stageOne[0][1], 1e-9);
        assertEquals(0, stageOne[0][0], 1e-12);
    }

    @Test
    void oneAttemptTwoEach_keepsThePromptGroupAsTurnTwoBaseline() {
        List<Trajectory> batch = List.of(row("g", 0, 0, 0, 1), row("g", 1, 0, 1, 1), row("g", 2, 0, 0, 0));
        double[][] raw = advantages(batch, Stage.STAGE_ONE, AdvantageNormalization.NONE);
        // r2 = 1, 1, 0 over the prompt's three rows: 1 - 0.5, 1 - 0.5, 0 - 1
        assertEquals(0.5, raw[0][1], 1e-12);
        assertEquals(0.5, raw[1][1], 1e-12);
        assertEquals(-1, raw[2][1], 1e-12);
    }

    @Test
    void oneAttemptTwoEach_baselinesEachTurnTwoWithinItsOwnPrompt() {
        // two prompts of two rows: r2 = 1, 0 | 0, 0 -> 1, -1 | 0, 0 (a pooled baseline would give the second prompt's rows -1/3)
        List<Trajectory> batch = List.of(row("a", 0, 0, 0, 1), row("a", 1, 0, 0, 0), row("b", 0, 0, 0, 0), row("b", 1, 0, 0, 0));
        double[][] raw = advantages(batch, Stage.STAGE_ONE, AdvantageNormalization.NONE);
        assertArrayEquals(new double[] {1, -1, 0, 0}, java.util.Arrays.stream(raw).mapToDouble(r -> r[1]).toArray(), 1e-12);
    }

    @Test
    void groupsAreSeparate() {
        List<Trajectory> two = List.of(row("a", 0, 0, 0, 1), row("a", 0, 1, 0, 0), row("a", 1, 0, 1, 0), row("a", 1, 1, 1, 0),
                row("b", 0, 0, 1, 1), row("b", 0, 1, 1, 1), row("b", 1, 0, 1, 1), row("b", 1, 1, 1, 1));
        double[][] raw = advantages(two, Stage.STAGE_TWO, AdvantageNormalization.NONE);
        for (int b = 4; b < 8; b++) {
            assertArrayEquals(new double[] {0, 0}, raw[b], 1e-12, "group b has equal rewards everywhere");
        }
    }

    @Test
    void groupShape_rowsAndTurns() {
        assertEquals(8, new GroupShape(4, 2).rows());
        assertEquals(4, new GroupShape(4, 0).rows());
        assertTrue(!new GroupShape(4, 0).twoTurns());
        assertThrows(IllegalArgumentException.class, () -> new GroupShape(0, 1));
    }
}
