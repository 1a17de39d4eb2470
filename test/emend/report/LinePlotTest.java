package emend.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LinePlotTest {

    @TempDir
    Path tmp;

    @Test
    void write_drawsEachSeriesAtItsHeight_andBreaksAtNaN() throws IOException {
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        double[] low = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        double[] high = {3, 3, 3, 3, Double.NaN, Double.NaN, Double.NaN, 3, 3, 3, 3};
        Path png = tmp.resolve("plot.png");
        LinePlot.write(png, "two lines", "step", "value", List.of(new LinePlot.Series("low", x, low), new LinePlot.Series("high", x, high)));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(LinePlot.WIDTH, image.getWidth());
        assertEquals(LinePlot.HEIGHT, image.getHeight());
        int quarter = 80 + (LinePlot.WIDTH - 80 - 24) * 15 / 100; // x = 1.5, inside both lines
        int lowRow = rowOf(image, quarter, LinePlot.PALETTE[0]);
        int highRow = rowOf(image, quarter, LinePlot.PALETTE[1]);
        assertTrue(lowRow > 0 && highRow > 0, "both lines cross x = 1.5: rows " + lowRow + ", " + highRow);
        assertTrue(highRow < lowRow, "3 is drawn above 1 (rows " + highRow + " and " + lowRow + ")");
        int middle = 80 + (LinePlot.WIDTH - 80 - 24) / 2; // x = 5, where "high" is NaN
        assertEquals(-1, rowOf(image, middle, LinePlot.PALETTE[1]), "the line breaks where the values are NaN");
        assertTrue(rowOf(image, middle, LinePlot.PALETTE[0]) > 0);
    }

    /** The first row of column {@code x} whose colour is within a small distance of {@code color}, or -1. */
    private static int rowOf(BufferedImage image, int x, Color color) {
        for (int y = 0; y < image.getHeight(); y++) {
            Color c = new Color(image.getRGB(x, y));
            int d = Math.abs(c.getRed() - color.getRed()) + Math.abs(c.getGreen() - color.getGreen()) + Math.abs(c.getBlue() - color.getBlue());
            if (d < 40) {
                return y;
            }
        }
        return -1;
    }
}
