package emend.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition another thread makes true; the condition decides, the poll interval only bounds the latency. */
public final class Await {

    private Await() {
    }

    /** Fails naming {@code what} when {@code condition} is still false after {@code wait}. */
    public static void until(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        until(condition, wait, () -> what);
    }

    /** As {@link #until(BooleanSupplier, Duration, String)}, the failure's text made at the deadline (a log as it is then). */
    public static void until(BooleanSupplier condition, Duration wait, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> what.get() + " within " + wait.toMillis() + " ms");
            Thread.sleep(1);
        }
    }
}
