package emend.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

final class TurnRewardsTest {

    private static final double ALPHA = 10;

    @Test
    void stageTwo_shapesAttemptTwoByProgress_allFourCases() {
        assertEquals(new TurnRewards(0, 0), TurnRewards.of(Stage.STAGE_TWO, 0, 0, ALPHA));
        assertEquals(new TurnRewards(0, 11), TurnRewards.of(Stage.STAGE_TWO, 0, 1, ALPHA));
        assertEquals(new TurnRewards(1, -10), TurnRewards.of(Stage.STAGE_TWO, 1, 0, ALPHA));
        assertEquals(new TurnRewards(1, 1), TurnRewards.of(Stage.STAGE_TWO, 1, 1, ALPHA));
    }

    @Test
    void stageOne_rewardsAttemptTwoOnly_allFourCases() {
        assertEquals(new TurnRewards(0, 0), TurnRewards.of(Stage.STAGE_ONE, 0, 0, ALPHA));
        assertEquals(new TurnRewards(0, 1), TurnRewards.of(Stage.STAGE_ONE, 0, 1, ALPHA));
        assertEquals(new TurnRewards(0, 0), TurnRewards.of(Stage.STAGE_ONE, 1, 0, ALPHA));
        assertEquals(new TurnRewards(0, 1), TurnRewards.of(Stage.STAGE_ONE, 1, 1, ALPHA));
    }

    @Test
    void singleTurn_rewardsAttemptOneOnly() {
        assertEquals(new TurnRewards(1, 0), TurnRewards.of(Stage.SINGLE_TURN, 1, 1, ALPHA));
        assertEquals(new TurnRewards(0, 0), TurnRewards.of(Stage.SINGLE_TURN, 0, 1, ALPHA));
    }

    @Test
    void klWeights_followTheStage() {
        ObjectiveSettings paper = ObjectiveSettings.paper();
        assertEquals(0.1, paper.klWeight(Stage.STAGE_ONE, 1));
        assertEquals(0.01, paper.klWeight(Stage.STAGE_ONE, 2));
        assertEquals(0.01, paper.klWeight(Stage.STAGE_TWO, 1));
        assertEquals(0.01, paper.klWeight(Stage.STAGE_TWO, 2));
    }
}
