package emend.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.testing.TestModels;
import emend.tokenize.ByteTokenizer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CheckpointTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final ModelConfig CONFIG = TestModels.smallConfig(TOKENIZER.vocabSize(), 32);

    @TempDir
    Path tmp;

    private Path saveRandom(NDManager manager, long seed) {
        Path dir = tmp.resolve("ckpt");
        try (Weights weights = Weights.initialize(CONFIG, seed, manager)) {
            Checkpoint.save(dir, weights, TOKENIZER, 42, Map.of("lr", "0.001"));
        }
        return dir;
    }

    @Test
    void saveThenLoad_isBitExact() {
        try (NDManager manager = TestModels.manager();
             Weights original = Weights.initialize(CONFIG, 5, manager)) {
            Path dir = tmp.resolve("ckpt");
            Checkpoint.save(dir, original, TOKENIZER, 42, Map.of("lr", "0.001"));
            try (Checkpoint.Loaded loaded = Checkpoint.load(dir, manager)) {
                assertEquals(original.tensors().keySet(), loaded.weights().tensors().keySet());
                for (Map.Entry<String, NDArray> e : original.tensors().entrySet()) {
                    float[] expected = e.getValue().toFloatArray();
                    float[] actual = loaded.weights().get(e.getKey()).toFloatArray();
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), e.getKey());
                    }
                }
                assertEquals(CONFIG, loaded.weights().config());
                assertEquals(42, loaded.manifest().getStep());
                assertEquals("0.001", loaded.manifest().getMetadataOrThrow("lr"));
                assertEquals(ByteTokenizer.KIND, loaded.tokenizer().kind());
            }
        }
    }

    @Test
    void save_overExistingCheckpoint_replacesItAndLeavesNoTemporaries() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            saveRandom(manager, 1);
            Path dir = saveRandom(manager, 2);
            try (Checkpoint.Loaded loaded = Checkpoint.load(dir, manager);
                 Weights second = Weights.initialize(CONFIG, 2, manager)) {
                assertArrayEquals(second.get("model.norm.weight").toFloatArray(), loaded.weights().get("model.norm.weight").toFloatArray());
                assertArrayEquals(second.get("lm_head.weight").toFloatArray(), loaded.weights().get("lm_head.weight").toFloatArray());
            }
            try (var files = Files.list(tmp)) {
                assertEquals(1, files.count(), "temporary or old directories were left behind");
            }
        }
    }

    @Test
    void load_flippedByte_isRefusedAsCorrupt() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Path dir = saveRandom(manager, 3);
            Path weights = dir.resolve(Checkpoint.WEIGHTS_FILE);
            try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
                long at = file.length() - 100;
                file.seek(at);
                int b = file.read();
                file.seek(at);
                file.write(b ^ 0x01);
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, manager));
            assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("sha256"), e.getMessage());
        }
    }

    @Test
    void load_truncatedWeights_isRefusedAsTruncated() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Path dir = saveRandom(manager, 3);
            Path weights = dir.resolve(Checkpoint.WEIGHTS_FILE);
            try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
                file.setLength(file.length() - 64);
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, manager));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void load_configWithAnotherShape_namesTheMismatchedTensor() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Path dir = saveRandom(manager, 4);
            Path config = dir.resolve(Checkpoint.CONFIG_FILE);
            Files.writeString(config, Files.readString(config).replace("\"intermediate_size\": 64", "\"intermediate_size\": 96"));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, manager));
            assertTrue(e.getMessage().contains("mlp.gate_proj.weight has shape (64, 32), the config needs (96, 32)"), e.getMessage());
        }
    }

    @Test
    void load_directoryWithoutManifest_saysItIsNotACheckpoint() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Path dir = Files.createDirectories(tmp.resolve("empty"));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, manager));
            assertTrue(e.getMessage().contains("is not a checkpoint"), e.getMessage());
            assertFalse(e.getMessage().isBlank());
        }
    }
}
