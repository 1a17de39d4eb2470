package emend.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Llama 3's rotary scaling against values computed by hand (a plain Python transcription of Hugging Face's
 * {@code _compute_llama3_parameters}): head dimension 8, theta 500,000, factor 8, low 1, high 4, 8,192 original
 * positions. The four wavelengths (6.3, 167, 4,443, 118,143 positions) cover all three regimes.
 */
final class RopeScalingTest {

    private static final RopeScaling LLAMA3 = RopeScaling.llama3(8, 1, 4, 8192);

    @Test
    void llama3_keepsHighFrequencies_scalesLowOnes_andBlendsTheBandBetween() {
        assertEquals(1.0, LLAMA3.apply(1.0), 0, "wavelength 6.3 < 2,048: kept");
        assertEquals(0.03760603093086393, LLAMA3.apply(0.03760603093086393), 0, "wavelength 167: kept");
        assertEquals(0.0005248461609929547, LLAMA3.apply(0.001414213562373095), 1e-18, "wavelength 4,443: blended");
        assertEquals(6.647869871181236e-06, LLAMA3.apply(5.318295896944989e-05), 1e-20, "wavelength 118,143 > 8,192: divided by 8");
    }

    @Test
    void tables_useTheScaledFrequencies() {
        float[][] plain = RotaryTables.compute(3, 8, 500_000, RopeScaling.NONE);
        float[][] scaled = RotaryTables.compute(3, 8, 500_000, LLAMA3);
        // position 2, frequency index 2 (the blended one), and its copy in the second half of the head
        assertEquals((float) Math.cos(2 * (float) 0.0005248461609929547), scaled[0][2 * 8 + 2], 1e-7);
        assertEquals(scaled[1][2 * 8 + 2], scaled[1][2 * 8 + 2 + 4]);
        assertEquals(plain[0][2 * 8], scaled[0][2 * 8], "the fast frequency is the same");
        assertTrue(plain[1][2 * 8 + 3] != scaled[1][2 * 8 + 3], "the slow one is not");
    }

    @Test
    void linear_dividesEveryFrequency_andBadParametersAreRefused() {
        assertEquals(0.25, RopeScaling.linear(4).apply(1.0));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.linear(0.5));
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.llama3(8, 4, 1, 8192));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RopeScaling("yarn", 4, 0, 0, 0));
        assertTrue(e.getMessage().contains("'yarn' is not supported"), e.getMessage());
    }
}
