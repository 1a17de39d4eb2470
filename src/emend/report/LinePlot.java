package emend.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as PNG files, drawn with Java2D (headless): curves of a run's metrics against the step. A value
 * that is not finite (a rate with no cases) breaks its line rather than bending the axis.
 */
public final class LinePlot {

    /** One curve: {@code y[i]} at {@code x[i]}. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + " has " + x.length + " x values and " + y.length + " y values");
            }
        }
    }

    public static final int WIDTH = 800;
    public static final int HEIGHT = 480;
    /** Colour-blind-safe (Okabe and Ito, then Tol's wine and grey), in the order series are drawn: nine, one per ablation row. */
    public static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0x882255), new Color(0x999999)};
    private static final int LEFT = 80;
    private static final int RIGHT = 24;
    private static final int TOP = 68;
    private static final int BOTTOM = 64;

    private LinePlot() {}

    /**
     * Draws {@code series} into {@code png}.
     *
     * @throws IllegalStateException if this JVM cannot draw text (no fonts installed), naming the fix
     */
    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series) {
        Png.write(png, WIDTH, HEIGHT, g -> draw(g, title, xLabel, yLabel, series));
    }

    private static void draw(Graphics2D g, String title, String xLabel, String yLabel, List<Series> series) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double[] xRange = range(series, true);
        double[] yRange = range(series, false);
        Axis x = new Axis(xRange[0], xRange[1], LEFT, WIDTH - RIGHT);
        Axis y = new Axis(yRange[0], yRange[1], HEIGHT - BOTTOM, TOP);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        for (double tick : x.ticks()) {
            int px = (int) Math.round(x.pixel(tick));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
            g.setColor(Color.DARK_GRAY);
            String text = format(tick);
            g.drawString(text, px - metrics.stringWidth(text) / 2, HEIGHT - BOTTOM + 18);
        }
        for (double tick : y.ticks()) {
            int py = (int) Math.round(y.pixel(tick));
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(LEFT, py, WIDTH - RIGHT, py);
            g.setColor(Color.DARK_GRAY);
            String text = format(tick);
            g.drawString(text, LEFT - 8 - metrics.stringWidth(text), py + metrics.getAscent() / 2 - 1);
        }
        g.setColor(Color.GRAY);
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.setColor(Color.BLACK);
        g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT - metrics.stringWidth(xLabel)) / 2, HEIGHT - 20);
        Graphics2D vertical = (Graphics2D) g.create();
        vertical.rotate(-Math.PI / 2);
        vertical.drawString(yLabel, -(TOP + (HEIGHT - TOP - BOTTOM + metrics.stringWidth(yLabel)) / 2), 22);
        vertical.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 26);
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            g.setColor(PALETTE[s % PALETTE.length]);
            Path2D.Double line = new Path2D.Double();
            boolean pen = false;
            Series one = series.get(s);
            for (int i = 0; i < one.x().length; i++) {
                if (!Double.isFinite(one.x()[i]) || !Double.isFinite(one.y()[i])) {
                    pen = false;
                    continue;
                }
                double px = x.pixel(one.x()[i]);
                double py = y.pixel(one.y()[i]);
                if (pen) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    pen = true;
                }
                if (one.x().length <= 40) {
                    g.fillOval((int) Math.round(px) - 3, (int) Math.round(py) - 3, 6, 6);
                }
            }
            g.draw(line);
        }
        legend(g, series);
    }

    /** Above the plot, left to right, so it never hides a curve; a second row when one is too narrow. */
    private static void legend(Graphics2D g, List<Series> series) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        int[] widths = series.stream().mapToInt(s -> 24 + metrics.stringWidth(s.name()) + 16).toArray();
        boolean twoRows = java.util.Arrays.stream(widths).sum() > WIDTH - RIGHT - LEFT;
        int left = LEFT;
        int baseline = twoRows ? TOP - 26 : TOP - 14;
        for (int s = 0; s < series.size(); s++) {
            if (left + widths[s] > WIDTH - RIGHT && left > LEFT) {
                left = LEFT;
                baseline += 14;
            }
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(left, baseline - 6, 18, 3);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), left + 24, baseline);
            left += widths[s];
        }
    }

    /** Min and max of the finite values (a flat or empty set gets a unit-wide range around it). */
    private static double[] range(List<Series> series, boolean xs) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] values = xs ? s.x() : s.y();
            for (double v : values) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        if (min == max) {
            return new double[] {min - 0.5, max + 0.5};
        }
        double pad = xs ? 0 : (max - min) * 0.05;
        return new double[] {min - pad, max + pad};
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** A linear axis from data {@code [min, max]} to pixels {@code [from, to]}, with ticks at 1, 2 or 5 times a power of ten. */
    private record Axis(double min, double max, double from, double to) {

        double pixel(double value) {
            return from + (value - min) / (max - min) * (to - from);
        }

        List<Double> ticks() {
            double raw = (max - min) / 6;
            double power = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
            List<Double> ticks = new java.util.ArrayList<>();
            for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
                ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            }
            return ticks;
        }
    }
}
