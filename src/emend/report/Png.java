package emend.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Draws a chart headless (Java2D) and writes it as a PNG file. */
final class Png {

    private Png() {}

    /** @throws IllegalStateException if this JVM cannot draw text (no fonts installed), naming the fix */
    static void write(Path png, int width, int height, Consumer<Graphics2D> draw) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            draw.accept(g);
        } catch (Error e) {
            throw new IllegalStateException("cannot draw chart text (" + e + "): install a font, e.g. apt-get install fonts-dejavu-core", e);
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
