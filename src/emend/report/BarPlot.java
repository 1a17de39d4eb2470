package emend.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Bar charts as PNG files (Java2D, headless): one bar per row with its spread as an error bar, zero line drawn. */
public final class BarPlot {

    /** A bar: its label, value and the half-width of its error bar (0 for none). */
    public record Bar(String label, double value, double spread) {}

    public static final int WIDTH = 800;
    public static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 24;
    private static final int TOP = 48;
    private static final int BOTTOM = 96;

    private BarPlot() {}

    public static void write(Path png, String title, String yLabel, List<Bar> bars) {
        Png.write(png, WIDTH, HEIGHT, g -> draw(g, title, yLabel, bars));
    }

    private static void draw(Graphics2D g, String title, String yLabel, List<Bar> bars) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double low = 0;
        double high = 0;
        for (Bar b : bars) {
            low = Math.min(low, b.value() - b.spread());
            high = Math.max(high, b.value() + b.spread());
        }
        if (high - low < 1e-9) {
            high = low + 1;
        }
        double pad = (high - low) * 0.1;
        double min = low < 0 ? low - pad : 0;
        double max = high + pad;
        int plotTop = TOP;
        int plotBottom = HEIGHT - BOTTOM;
        java.util.function.DoubleUnaryOperator y = v -> plotBottom - (v - min) / (max - min) * (plotBottom - plotTop);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        g.setColor(Color.GRAY);
        g.drawRect(LEFT, plotTop, WIDTH - LEFT - RIGHT, plotBottom - plotTop);
        int zero = (int) Math.round(y.applyAsDouble(0));
        g.setColor(Color.DARK_GRAY);
        g.drawLine(LEFT, zero, WIDTH - RIGHT, zero);
        g.drawString("0", LEFT - 8 - metrics.stringWidth("0"), zero + 4);
        int slot = (WIDTH - LEFT - RIGHT) / Math.max(1, bars.size());
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int x = LEFT + i * slot + slot / 5;
            int width = slot * 3 / 5;
            int top = (int) Math.round(y.applyAsDouble(Math.max(0, bar.value())));
            int bottom = (int) Math.round(y.applyAsDouble(Math.min(0, bar.value())));
            g.setColor(LinePlot.PALETTE[i % LinePlot.PALETTE.length]);
            g.fillRect(x, top, width, Math.max(1, bottom - top));
            if (bar.spread() > 0) {
                int center = x + width / 2;
                int errTop = (int) Math.round(y.applyAsDouble(bar.value() + bar.spread()));
                int errBottom = (int) Math.round(y.applyAsDouble(bar.value() - bar.spread()));
                g.setColor(Color.BLACK);
                g.drawLine(center, errTop, center, errBottom);
                g.drawLine(center - 5, errTop, center + 5, errTop);
                g.drawLine(center - 5, errBottom, center + 5, errBottom);
            }
            g.setColor(Color.BLACK);
            String value = String.format(Locale.ROOT, "%+.1f", bar.value());
            int valueY = bar.value() >= 0 ? Math.min(top, (int) Math.round(y.applyAsDouble(bar.value() + bar.spread()))) - 4
                    : Math.max(bottom, (int) Math.round(y.applyAsDouble(bar.value() - bar.spread()))) + 14;
            g.drawString(value, x + (width - metrics.stringWidth(value)) / 2, valueY);
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.translate(x + width / 2 + 4, plotBottom + 8);
            rotated.rotate(Math.PI / 5);
            rotated.drawString(bar.label(), 0, 0);
            rotated.dispose();
        }
        Graphics2D vertical = (Graphics2D) g.create();
        vertical.rotate(-Math.PI / 2);
        vertical.drawString(yLabel, -(plotTop + (plotBottom - plotTop + metrics.stringWidth(yLabel)) / 2), 22);
        vertical.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 26);
    }
}
