package emend.metrics;

import emend.proto.TensorBoardEvent;
import emend.proto.TensorBoardSummary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A run's scalar curves as a TensorBoard events file ({@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}) in the run
 * directory: {@code tensorboard --logdir RUN_DIR} shows them. A resumed run adds a file; TensorBoard reads every
 * file of the directory as one run.
 */
public final class TensorBoardWriter implements AutoCloseable {

    /** Tells apart the files one process opens in the same second (a run resumed at once, tests). */
    private static final AtomicInteger OPENED = new AtomicInteger();

    private final Path file;
    private final OutputStream out;

    private TensorBoardWriter(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW));
        write(TensorBoardEvent.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
    }

    /** A new events file in {@code dir}. */
    public static TensorBoardWriter open(Path dir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        Path file = dir.resolve("events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + host + "." + ProcessHandle.current().pid()
                + "." + OPENED.incrementAndGet());
        try {
            return new TensorBoardWriter(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TensorBoard events file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Writes every finite number of {@code record} as a scalar at {@code step}, nested maps as {@code outer/inner}
     * tags; text, flags and the record's own {@code step} are left out.
     */
    public void scalars(long step, Map<String, ?> record) {
        TensorBoardSummary.Builder summary = TensorBoardSummary.newBuilder();
        add(summary, "", record);
        if (summary.getValueCount() == 0) {
            return;
        }
        write(TensorBoardEvent.newBuilder().setWallTime(now()).setStep(step).setSummary(summary).build());
    }

    private static void add(TensorBoardSummary.Builder summary, String prefix, Map<String, ?> values) {
        values.forEach((key, value) -> {
            if (prefix.isEmpty() && key.equals("step")) {
                return;
            }
            if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                summary.addValue(TensorBoardSummary.Value.newBuilder().setTag(prefix + key).setSimpleValue(n.floatValue()));
            } else if (value instanceof Map<?, ?> nested) {
                @SuppressWarnings("unchecked")
                Map<String, ?> inner = (Map<String, ?>) nested;
                add(summary, prefix + key + "/", inner);
            }
        });
    }

    private void write(TensorBoardEvent event) {
        try {
            TfRecords.write(out, event.toByteArray());
            out.flush(); // TensorBoard polls the file: a curve shows each step as it is written
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
