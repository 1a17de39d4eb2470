package emend.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.rl.Stage;
import emend.rollout.GroupShape;
import emend.sandbox.Isolation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RunSettingsTest {

    @Test
    void defaults_loadAndFollowThePaper() {
        RunSettings s = RunSettings.fromConfig(Settings.load(null, Map.of()));
        assertEquals(3.0, s.rl().objective().alphaShapingBonus(), "the paper's 10 left turn 1 unlearned here (reference.conf)");
        assertEquals(0.05, s.rl().objective().beta1(), "5x the paper's 0.01, chosen on the dev problems (reference.conf)");
        assertEquals(0.9, s.rl().weightAverageDecay(), "the weight average, chosen on the dev problems (reference.conf)");
        assertEquals(0.1, s.rl().objective().beta2FirstTurnKl());
        assertEquals(new GroupShape(3, 3, 0), s.rl().groupShape(Stage.STAGE_TWO),
                "3 attempts 1 x 3 sibling attempts 2, chosen on the dev problems (docs/decisions/turn-two-siblings.md)");
        assertEquals(21, s.rl().promptsPerStep());
        assertEquals(Stage.STAGE_ONE, s.rl().schedule().get(0).stage());
        assertEquals(Stage.STAGE_TWO, s.rl().schedule().get(1).stage());
        assertEquals(Duration.ofSeconds(5), s.sandbox().limits().wallTimeout());
        assertEquals(512L << 20, s.sandbox().limits().addressSpaceBytes());
        assertEquals(Isolation.AUTO, s.sandbox().isolation());
    }

    @Test
    void groupShape_hasNoAttemptTwoInTheSingleTurnStage_andOfflineAttemptsOnlyInStageTwo() {
        RunSettings.RlSettings rl = RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.samples-per-prompt", "4",
                "emend.rl.turn2-samples", "2", "emend.rl.offline-first-attempts", "1"))).rl();
        assertEquals(new GroupShape(4, 2, 1), rl.groupShape(Stage.STAGE_TWO));
        assertEquals(new GroupShape(4, 2, 0), rl.groupShape(Stage.STAGE_ONE));
        assertEquals(new GroupShape(4, 0, 0), rl.groupShape(Stage.SINGLE_TURN));
    }

    @Test
    void devDeltaSelection_takesOnlyPointsWithoutLostDelta_andKeepsTheEarlierOfATie() {
        RunSettings.Selection rule = RunSettings.Selection.DEV_DELTA;
        assertTrue(rule.replaces(0.60, 0.0, Double.NEGATIVE_INFINITY));
        assertTrue(!rule.replaces(0.90, -0.01, 0.60), "a point that lost delta never wins, however accurate");
        assertTrue(!rule.replaces(0.60, 0.05, 0.60), "a tie keeps the earlier point");
        assertTrue(rule.replaces(0.61, 0.05, 0.60));
        assertTrue(RunSettings.Selection.DEV.replaces(0.60, -0.2, 0.60), "dev: a tie goes to the later point, delta unseen");
        assertEquals(rule, RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.checkpoint-selection", "dev-delta"))).rl().selection());
        assertFails(Map.of("emend.rl.turn2-samples", "0"), "emend.rl.turn2-samples must be >= 1");
        assertFails(Map.of("emend.rl.weight-average-decay", "1"), "emend.rl.weight-average-decay must be in [0, 1)");
        assertFails(Map.of("emend.rl.stage1-reference", "policy"), "emend.rl.stage1-reference must be base or phase-start");
    }

    @Test
    void misspeltKeys_areRefusedNamingTheClosestKnownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(null, Map.of("emend.rl.alhpa", "5")));
        assertTrue(e.getMessage().contains("unknown setting emend.rl.alhpa: did you mean emend.rl.alpha?"), e.getMessage());
        assertEquals(5.0, Settings.load(null, Map.of("emend.rl.alpha", "5")).getDouble("emend.rl.alpha"));
    }

    @Test
    void overrideValues_areOneHoconValueEach_andSecretsNeverShow() {
        IllegalArgumentException smuggled = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(null, Map.of("emend.rl.alpha", "5\nemend.seed = 9")));
        assertTrue(smuggled.getMessage().contains("--set emend.rl.alpha"), smuggled.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Settings.load(null, Map.of("emend.rl.alpha", "5, emend.seed = 9")));
        IllegalArgumentException token = assertThrows(IllegalArgumentException.class,
                () -> Settings.load(null, Map.of("emend.control.token", "\"s3cret\" x = {")));
        assertTrue(!token.getMessage().contains("s3cret"), token.getMessage());
        assertEquals(List.of("stage1:3", "stage2:4"),
                Settings.load(null, Map.of("emend.rl.schedule", "[\"stage1:3\",\"stage2:4\"]")).getStringList("emend.rl.schedule"));
        var merged = Settings.load(null, Map.of("emend.task", "{ split-seed = 3 }"));
        assertEquals(3, merged.getInt("emend.task.split-seed"));
        assertEquals(9, merged.getInt("emend.task.linear.max-a"), "an object value merges into the keys under it");
    }

    @Test
    void badValues_failWithMessagesThatNameTheKeyOrTheFix() {
        assertFails(Map.of("emend.rl.schedule", "[\"stage3:5\"]"), "unknown stage 'stage3'");
        assertFails(Map.of("emend.rl.schedule", "[\"stage1\"]"), "must look like stage1:60");
        assertFails(Map.of("emend.rl.samples-per-prompt", "1"), "RLOO needs two samples");
        assertFails(Map.of("emend.rl.alpha", "\"lots\""), "alpha");
        assertFails(Map.of("emend.rl.kl-estimator", "\"k4\""), "use k1, k2 or k3");
        assertFails(Map.of("emend.task.name", "\"jsonl\""), "--problems FILE");
        assertFails(Map.of("emend.rl.checkpoint-selection", "\"best\""), "dev, dev-delta, train-reward or last");
        assertFails(Map.of("emend.task.name", "\"poetry\""), "must be one of linear, jsonl, code");
        assertFails(Map.of("emend.task.instruction", "\"  \""), "emend.task.instruction is only white space");
        assertFails(Map.of("emend.verify.isolation", "\"docker\""), "auto, bwrap, unshare or none");
        assertFails(Map.of("emend.verify.timeout", "10ms"), "emend.verify.timeout must be at least 100ms");
        assertFails(Map.of("emend.verify.max-processes", "1"), "max-processes must be >= 2");
        assertFails(Map.of("emend.rl.learning-rate-warmup-steps", "-1"), "learning-rate-warmup-steps must be >= 0");
        assertFails(Map.of("emend.eval.batch-rows", "0"), "emend.eval.batch-rows must be >= 1");
        assertFails(Map.of("emend.rl.offline-first-attempts", "-1"), "emend.rl.offline-first-attempts must be between 0");
    }

    @Test
    void learningRateShare_rampsLinearlyOverTheWarmupStepsThenStaysFull() {
        RunSettings.RlSettings ramped = RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.learning-rate-warmup-steps", "4"))).rl();
        assertEquals(0.25, ramped.learningRateShare(1), 1e-12);
        assertEquals(0.75, ramped.learningRateShare(3), 1e-12);
        assertEquals(1.0, ramped.learningRateShare(4), 1e-12);
        assertEquals(1.0, ramped.learningRateShare(90), 1e-12);
        RunSettings.RlSettings flat = RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.learning-rate-warmup-steps", "0"))).rl();
        assertEquals(1.0, flat.learningRateShare(1), 1e-12);
    }

    @Test
    void weightStreamPort_isAPortAnyFreePortOrOff() {
        assertEquals(0, RuntimeSettings.fromConfig(Settings.load(null, Map.of())).weightStreamPort(), "any free port by default");
        assertEquals(-1, RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.weight-stream-port", "-1"))).weightStreamPort());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.weight-stream-port", "70000"))));
        assertTrue(e.getMessage().contains("weight-stream-port must be a TCP port, 0 (any free port) or -1 (off)"), e.getMessage());
    }

    /** The default code task's group (k = 4: 8 distinct attempts, 4 at a time, 5 s + 1 s each) needs 12 s. */
    @Test
    void verifyTimeout_mustCoverTheGroupDeadline_namingBothKeys() {
        RunSettings run = RunSettings.fromConfig(Settings.load(null, Map.of()));
        emend.task.Verifier code = new emend.task.CodeVerifier(new emend.sandbox.PythonSandbox(run.sandbox(), System.err));
        RuntimeSettings.fromConfig(Settings.load(null, Map.of())).requireVerifyTimeoutCovers(code, 8);
        RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.verify-timeout", "12s"))).requireVerifyTimeoutCovers(code, 8);
        RuntimeSettings short11 = RuntimeSettings.fromConfig(Settings.load(null, Map.of("emend.runtime.verify-timeout", "11s")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> short11.requireVerifyTimeoutCovers(code, 8));
        assertTrue(e.getMessage().contains("emend.runtime.verify-timeout (11000 ms)") && e.getMessage().contains("emend.verify.timeout")
                && e.getMessage().contains("is 12000 ms"), e.getMessage());
        // string checks are instant: no deadline to cover
        short11.requireVerifyTimeoutCovers(new emend.task.NumericAnswerVerifier("Answer:"), 8);
    }

    private static void assertFails(Map<String, String> overrides, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunSettings.fromConfig(Settings.load(null, overrides)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
