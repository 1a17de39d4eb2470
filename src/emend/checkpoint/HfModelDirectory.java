package emend.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.model.ModelConfig;
import emend.model.ParameterNames;
import emend.model.Weights;
import emend.proto.CheckpointManifest;
import emend.tokenize.HfTokenizer;
import emend.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model directory as Hugging Face writes it: {@code config.json} (Llama or Qwen2), the weights in
 * {@code model.safetensors} or in shards named by {@code model.safetensors.index.json} (float32, float16 or
 * bfloat16, read as float32), and {@code tokenizer.json}. Nothing is downloaded: the directory is all there is.
 */
public final class HfModelDirectory {

    public static final String INDEX_FILE = "model.safetensors.index.json";

    private HfModelDirectory() {}

    /**
     * Loads the model in {@code dir} onto a new child manager of {@code parent}.
     *
     * @throws CheckpointException naming the file, field or tensor that is missing or unsupported
     */
    public static Checkpoint.Loaded load(Path dir, NDManager parent) {
        ModelConfig config;
        try {
            config = HfModelConfig.fromJson(Files.readString(dir.resolve(Checkpoint.CONFIG_FILE)));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(dir.resolve(Checkpoint.CONFIG_FILE) + ": " + e.getMessage(), e);
        }
        if (!Files.exists(dir.resolve(HfTokenizer.TOKENIZER_FILE))) {
            throw new CheckpointException(dir + " is neither an Emend checkpoint (no " + Checkpoint.MANIFEST_FILE
                    + ") nor a Hugging Face model directory (no " + HfTokenizer.TOKENIZER_FILE + ")");
        }
        Tokenizer tokenizer;
        try {
            tokenizer = HfTokenizer.load(dir);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        Checkpoint.requireVocabulary(dir, config, tokenizer);
        List<Path> shards = shards(dir);
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            for (Path shard : shards) {
                Safetensors.read(shard, manager).forEach((name, array) -> {
                    if (recomputedHere(name, config)) {
                        array.close();
                    } else {
                        tensors.put(name, array);
                    }
                });
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        Weights weights;
        try {
            weights = Weights.of(config, manager, tensors);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("model directory " + dir + ": " + e.getMessage(), e);
        }
        CheckpointManifest manifest = CheckpointManifest.newBuilder()
                .setWeightsFile(shards.size() == 1 ? shards.get(0).getFileName().toString() : INDEX_FILE)
                .setTokenizerKind(tokenizer.kind())
                .putMetadata("source", "hugging-face")
                .build();
        return new Checkpoint.Loaded(weights, tokenizer, manifest);
    }

    /**
     * Tensors a checkpoint may carry that this code derives itself: rotary frequency tables (older Llama
     * checkpoints) and an output matrix saved beside tied embeddings (the model reads the embedding either way).
     */
    private static boolean recomputedHere(String name, ModelConfig config) {
        return name.endsWith(".rotary_emb.inv_freq") || (config.tiedEmbeddings() && name.equals(ParameterNames.LM_HEAD));
    }

    private static List<Path> shards(Path dir) {
        Path single = dir.resolve(Checkpoint.WEIGHTS_FILE);
        if (Files.exists(single)) {
            return List.of(single);
        }
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.exists(index)) {
            throw new CheckpointException(dir + " has neither " + Checkpoint.WEIGHTS_FILE + " nor " + INDEX_FILE
                    + ": Emend reads safetensors weights (transformers writes them with save_pretrained(dir, safe_serialization=True))");
        }
        TreeSet<String> files = new TreeSet<>();
        try {
            JsonObject map = JsonParser.parseString(Files.readString(index)).getAsJsonObject().getAsJsonObject("weight_map");
            map.entrySet().forEach(e -> files.add(e.getValue().getAsString()));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(index + " is not a safetensors index (a weight_map of tensor name to file): " + e.getMessage(), e);
        }
        List<Path> shards = new ArrayList<>();
        for (String file : files) {
            Path shard = dir.resolve(file).normalize();
            if (!shard.startsWith(dir.normalize()) || !Files.exists(shard)) {
                throw new CheckpointException(index + " names the shard " + file + ", which is not in " + dir + ": copy every shard");
            }
            shards.add(shard);
        }
        return shards;
    }
}
