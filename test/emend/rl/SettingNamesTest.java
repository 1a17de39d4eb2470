package emend.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The objective's enums as settings and reports name them: each parses from its name and prints it back. */
final class SettingNamesTest {

    @Test
    void stages_roundTripTheirScheduleNames_andOnlySingleTurnHasOneTurn() {
        assertEquals(List.of("stage1", "stage2", "single-turn"), List.of(Stage.values()).stream().map(Stage::label).toList());
        for (Stage stage : Stage.values()) {
            assertEquals(stage, Stage.parse(stage.label()));
        }
        assertTrue(Stage.STAGE_ONE.twoTurns() && Stage.STAGE_TWO.twoTurns());
        assertFalse(Stage.SINGLE_TURN.twoTurns());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Stage.parse("stage3"));
        assertEquals("unknown stage 'stage3': use one of stage1, stage2, single-turn", unknown.getMessage());
    }

    @Test
    void stageOneReferences_roundTripTheirNames() {
        assertEquals("base", StageOneReference.BASE.label());
        assertEquals("phase-start", StageOneReference.PHASE_START.label());
        for (StageOneReference reference : StageOneReference.values()) {
            assertEquals(reference, StageOneReference.parse(reference.label()));
        }
    }

    @Test
    void estimatorsAndNormalisations_parseCaseInsensitively_andNameTheChoicesWhenUnknown() {
        assertEquals(KlEstimator.K3, KlEstimator.parse("k3"));
        assertEquals(KlEstimator.K1, KlEstimator.parse("K1"));
        assertEquals(AdvantageNormalization.JOINT, AdvantageNormalization.parse("joint"));
        assertEquals(AdvantageNormalization.NONE, AdvantageNormalization.parse("None"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KlEstimator.parse("k4")).getMessage().contains("use k1, k2 or k3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdvantageNormalization.parse("layer")).getMessage()
                .contains("use none, group, batch or joint"));
    }
}
