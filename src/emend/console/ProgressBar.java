package emend.console;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar for long phases: redrawn in place on a terminal, printed as a new line every ~10%
 * (or every 30 s) when output goes to a file or pipe, so logs stay readable.
 */
public final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 24;
    private static final long LOG_INTERVAL_NANOS = 30_000_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;
    private long lastLoggedDecile = -1;
    private String lastLine = "";

    public ProgressBar(PrintStream out, String label, long total) {
        this(out, label, total, System.console() != null);
    }

    ProgressBar(PrintStream out, String label, long total, boolean interactive) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.interactive = interactive;
    }

    /** Shows {@code done} of the total with a status text such as {@code loss=0.41 tok/s=9.8k}. */
    public void update(long done, String status) {
        long now = System.nanoTime();
        lastLine = render(done, status, now);
        if (interactive) {
            out.print("\r" + lastLine + "\u001B[K");
            out.flush();
            return;
        }
        long decile = done * 10 / total;
        if (decile != lastLoggedDecile || now - lastLogNanos > LOG_INTERVAL_NANOS) {
            out.println(lastLine);
            lastLoggedDecile = decile;
            lastLogNanos = now;
        }
    }

    String render(long done, String status, long nowNanos) {
        double fraction = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (nowNanos - startNanos) / 1e9;
        double eta = done > 0 ? elapsed * (total - done) / done : Double.NaN;
        return String.format(Locale.ROOT, "%-10s [%s%s] %d/%d %s elapsed %s eta %s", label,
                "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, status,
                formatSeconds(elapsed), Double.isNaN(eta) ? "?" : formatSeconds(eta));
    }

    static String formatSeconds(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Ends the bar's line (on a terminal) so later output starts on a fresh line. */
    @Override
    public void close() {
        if (interactive) {
            out.println();
        } else if (!lastLine.isEmpty() && lastLoggedDecile < 10) {
            out.println(lastLine);
        }
    }
}
