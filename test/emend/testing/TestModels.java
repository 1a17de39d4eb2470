package emend.testing;

import ai.djl.ndarray.NDManager;
import emend.engine.DjlRuntime;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;

/** Small models for tests: fast on two cores, with grouped-query attention switched on. */
public final class TestModels {

    private TestModels() {}

    /** 2 layers, width 32, 4 query heads sharing 2 key/value heads. */
    public static ModelConfig smallConfig(int vocabSize, int contextLength) {
        return new ModelConfig(vocabSize, contextLength, 32, 2, 4, 2, 64, 10_000, 1e-5, false);
    }

    public static NDManager manager() {
        return DjlRuntime.engine().newBaseManager();
    }

    public static Transformer model(NDManager manager, ModelConfig config, long seed) {
        return new Transformer(Weights.initialize(config, seed, manager));
    }
}
