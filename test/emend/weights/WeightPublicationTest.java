package emend.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.proto.WeightChunk;
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
        for (int index : new int[] {2, 0, 0, 1}) {
            assembly.accept(publication.chunk(index));
        }
        assertTrue(assembly.complete());
        assertArrayEquals(bytes, assembly.verifiedBytes());
    }

    @Test
    void assembly_refusesChunksOfAnotherVersionOrSize() {
        WeightPublication publication = new WeightPublication(3, randomBytes(2_500), 1_000, "{}");
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        assertFalse(assembly.accept(new WeightPublication(4, randomBytes(2_500), 1_000, "{}").chunk(0)));
        assertFalse(assembly.accept(publication.chunk(0).toBuilder().setData(ByteString.copyFrom(new byte[10])).build()));
        assertEquals(0, assembly.nextMissing(0));
    }

    @Test
    void corruptedChunk_failsTheHashCheck() {
        WeightPublication publication = new WeightPublication(3, randomBytes(2_500), 1_000, "{}");
        WeightAssembly assembly = new WeightAssembly(publication.manifest());
        WeightChunk good = publication.chunk(1);
        byte[] flipped = good.getData().toByteArray();
        flipped[17] ^= 1;
        assembly.accept(publication.chunk(0));
        assembly.accept(good.toBuilder().setData(ByteString.copyFrom(flipped)).build());
        assembly.accept(publication.chunk(2));
        assertThrows(WeightAssembly.HashMismatchException.class, assembly::verifiedBytes);
    }

    @Test
    void codec_roundTripsWeightsExactly() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 16);
            Weights original = TestModels.model(manager, config, 7).weights();
            byte[] bytes = WeightCodec.encode(original);
            assertEquals(config.parameterCount() * 4, bytes.length);
            try (Weights decoded = WeightCodec.decode(config, bytes, manager)) {
                for (String name : config.parameterShapes().keySet()) {
                    assertArrayEquals(original.get(name).toFloatArray(), decoded.get(name).toFloatArray(), name);
                }
            }
            Weights other = TestModels.model(manager, config, 8).weights();
            WeightCodec.loadInto(other, bytes);
            assertArrayEquals(original.get("lm_head.weight").toFloatArray(), other.get("lm_head.weight").toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> WeightCodec.decode(config, new byte[12], manager));
        }
    }
}
