package emend.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import emend.config.RunSettings;
import emend.config.Settings;
import emend.model.ModelConfig;
import emend.config.Tasks;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class BaseModelTest {

    @Test
    void configKey_ofALlamaConfig_isSpelledAsBeforeAttentionBiasesExisted() {
        // the text the cache keys of every base model warmed up so far were made from
        assertEquals("ModelConfig[vocabSize=261, contextLength=176, width=128, layers=4, heads=4, kvHeads=4, ffnWidth=384, ropeTheta=10000.0, "
                + "normEps=1.0E-5, tiedEmbeddings=true]", BaseModel.configKey(ModelConfig.tiny(261, 176)));
        assertEquals("ModelConfig[vocabSize=261, contextLength=176, width=128, layers=4, heads=4, kvHeads=4, ffnWidth=384, ropeTheta=10000.0, "
                + "normEps=1.0E-5, tiedEmbeddings=true, attentionBias=true]",
                BaseModel.configKey(new ModelConfig(261, 176, 128, 4, 4, 4, 384, 10_000, 1e-5, true, true)));
    }

    /** The default task's base model of seed 2 keeps the folder its earlier runs cached it in (seen on this machine). */
    @Test
    void cacheKey_ofTheDefaultSeed2BaseModel_isTheOneItHasAlwaysHad() {
        RunSettings settings = RunSettings.fromConfig(Settings.load(null, java.util.Map.of("emend.seed", "2")));
        emend.task.Task task = Tasks.create(settings.task(), settings.sandbox());
        assertEquals("linear-seed2-fcf989c1d290", BaseModel.cacheKey(settings, task, ModelConfig.tiny(261, 176)));
    }

    /** Another turn-2 instruction makes other transcripts, so another base model; the task's own keeps the old key. */
    @Test
    void cacheKey_followsTheInstruction() {
        RunSettings own = RunSettings.fromConfig(Settings.load(null, Map.of("emend.seed", "2",
                "emend.task.instruction", "\"There might be an error above. Correct it, if any.\"")));
        RunSettings other = RunSettings.fromConfig(Settings.load(null, Map.of("emend.seed", "2", "emend.task.instruction", "\"Fix it if wrong.\"")));
        ModelConfig tiny = ModelConfig.tiny(261, 176);
        assertEquals("linear-seed2-fcf989c1d290", BaseModel.cacheKey(own, Tasks.create(own.task(), own.sandbox()), tiny));
        assertNotEquals("linear-seed2-fcf989c1d290", BaseModel.cacheKey(other, Tasks.create(other.task(), other.sandbox()), tiny));
    }
}
