package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import emend.engine.DjlRuntime;
import emend.model.AttentionMasks;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.security.MessageDigest;
import java.util.HexFormat;
import emend.testing.TestModels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class WeightPublicationTest {

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SplittableRandom(5).nextBytes(bytes);
        return bytes;
    }

    @Test
    void chunks_coverTheBytesWithinTheChunkSize() {
        WeightPublication publication = new WeightPublication(3, randomBytes(2_500), 1_000, "{}");
        assertEquals(3, publication.manifest().getChunkCount());
        assertEquals(1_000, publication.chunk(0).getData().size());
        assertEquals(500, publication.chunk(2).getData().size());
        assertThrows(IllegalArgumentException.class, () -> publication.chunk(3));
        assertThrows(IllegalArgumentException.class, () -> new WeightPublication(3, randomBytes(10), (1 << 20) + 1, "{}"));
    }

    @Test
    void assembly_inAnyOrderGivesTheSameBytes() {
        byte[] bytes = randomBytes(2_500);
        WeightPublication publication = new WeightPublication(3, bytes, 1_000, "{}");
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        assertEquals(WeightAssembly.Receipt.STORED, assembly.accept(publication.chunk(2)));
        assertEquals(WeightAssembly.Receipt.STORED, assembly.accept(publication.chunk(0)));
        assertEquals(WeightAssembly.Receipt.IGNORED, assembly.accept(publication.chunk(0)), "a repeat");
        assertFalse(assembly.complete());
        assertThrows(IllegalStateException.class, assembly::bytes);
        assertEquals(WeightAssembly.Receipt.STORED, assembly.accept(publication.chunk(1)));
        assertTrue(assembly.complete());
        assertArrayEquals(bytes, assembly.bytes());
    }

    @Test
    void manifest_namesEveryChunksDigestAndHashesThemInOrder() throws Exception {
        byte[] bytes = randomBytes(2_500);
        WeightManifest manifest = new WeightPublication(3, bytes, 1_000, "{}").manifest();
        assertEquals(3, manifest.getChunkSha256Count());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(bytes, 2_000, 500);
        assertArrayEquals(sha.digest(), manifest.getChunkSha256(2).toByteArray(), "the last, short chunk's digest");
        for (int i = 0; i < 3; i++) {
            sha.update(manifest.getChunkSha256(i).toByteArray());
        }
        assertEquals(HexFormat.of().formatHex(sha.digest()), manifest.getSha256());
    }

    @Test
    void assembly_refusesChunksOfAnotherVersionOrSize() {
        WeightPublication publication = new WeightPublication(3, randomBytes(2_500), 1_000, "{}");
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        assertEquals(WeightAssembly.Receipt.IGNORED, assembly.accept(new WeightPublication(4, randomBytes(2_500), 1_000, "{}").chunk(0)));
        assertEquals(WeightAssembly.Receipt.IGNORED,
                assembly.accept(publication.chunk(0).toBuilder().setData(ByteString.copyFrom(new byte[10])).build()));
        assertEquals(0, assembly.nextMissing(0));
    }

    @Test
    void corruptedChunk_isRefusedAloneAndTakenWhenSentAgain() {
        byte[] bytes = randomBytes(2_500);
        WeightPublication publication = new WeightPublication(3, bytes, 1_000, "{}");
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        WeightChunk good = publication.chunk(1);
        byte[] flipped = good.getData().toByteArray();
        flipped[17] ^= 1;
        assembly.accept(publication.chunk(0));
        assertEquals(WeightAssembly.Receipt.CORRUPTED, assembly.accept(good.toBuilder().setData(ByteString.copyFrom(flipped)).build()));
        assembly.accept(publication.chunk(2));
        assertFalse(assembly.complete());
        assertEquals(1, assembly.nextMissing(0));
        assertEquals(WeightAssembly.Receipt.STORED, assembly.accept(good));
        assertArrayEquals(bytes, assembly.bytes());
    }

    @Test
    void manifestWhoseDigestsDoNotHashToItsSha256_isRefused() {
        WeightManifest manifest = new WeightPublication(3, randomBytes(2_500), 1_000, "{}").manifest();
        WeightManifest tampered = manifest.toBuilder().setChunkSha256(1, manifest.getChunkSha256(0)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WeightAssembly(tampered));
        assertTrue(e.getMessage().contains("do not hash to its sha256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightAssembly(manifest.toBuilder().clearChunkSha256().addAllChunkSha256(manifest.getChunkSha256List().subList(0, 2)).build()));
    }

    @Test
    void publishedWeights_areEveryTensorLaidEndToEnd_eachChunkHashedFromItsOwnBytes() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 16);
            Weights weights = TestModels.model(manager, config, 7).weights();
            // the reference layout, written independently: each tensor's floats, little-endian, in the config's order
            java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(Math.toIntExact(config.parameterCount() * 4))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            config.parameterShapes().keySet().forEach(name -> {
                for (float value : weights.get(name).toFloatArray()) {
                    expected.putFloat(value);
                }
            });
            // 7 bytes cut floats and tensors anywhere; 1 MiB is one chunk for this model
            for (int chunkBytes : new int[] {7, 1_000, 1 << 20}) {
                WeightPublication published = WeightPublication.of(4, weights, chunkBytes, "{}");
                assertArrayEquals(expected.array(), published.sharedBytes(), "chunks of " + chunkBytes);
                assertEquals(new WeightPublication(4, expected.array(), chunkBytes, "{}").manifest(), published.manifest(), "chunks of " + chunkBytes);
            }
        }
    }

    @Test
    void codec_roundTripsWeightsExactly() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 16);
            Transformer originalModel = TestModels.model(manager, config, 7);
            Weights original = originalModel.weights();
            byte[] bytes = WeightPublication.of(1, original, 1 << 20, "{}").sharedBytes();
            assertEquals(config.parameterCount() * 4, bytes.length);
            try (Weights decoded = WeightCodec.decode(config, bytes, manager)) {
                for (String name : config.parameterShapes().keySet()) {
                    assertArrayEquals(original.get(name).toFloatArray(), decoded.get(name).toFloatArray(), name);
                }
            }
            Transformer otherModel = TestModels.model(manager, config, 8);   // built before the load, as a worker's is
            Weights other = otherModel.weights();
            WeightCodec.loadInto(other, bytes);
            assertArrayEquals(logits(originalModel, manager), logits(otherModel, manager),
                    "the model computes with the loaded values, its kept views included");
            for (String name : config.parameterShapes().keySet()) {
                // a copy made by the engine: what the model computes with, not a Java-side cache of the values
                try (NDArray engineCopy = other.get(name).duplicate()) {
                    assertArrayEquals(original.get(name).toFloatArray(), engineCopy.toFloatArray(), name);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> WeightCodec.decode(config, new byte[12], manager));
        }
    }

    /** Next-token logits of a fixed sequence, without autograd (the path generation takes). */
    private static float[] logits(Transformer model, NDManager manager) {
        return DjlRuntime.withoutGradients(() -> {
            int[] tokens = {1, 4, 9, 2, 7};
            NDArray hidden = model.hidden(manager.create(tokens, new Shape(1, tokens.length)),
                    manager.arange(0, tokens.length, 1, DataType.INT32).reshape(1, tokens.length),
                    AttentionMasks.causal(manager, tokens.length), null);
            return model.logits(hidden).toFloatArray();
        });
    }
}
