package emend.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition another thread makes true; the condition decides, the poll interval only bounds the latency. */
public final class Await {

    private Await() {
    }

    /** Fails naming {@code what} when {@code condition} is still false after {@code wait}. */
    public static void until(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + wait.toMillis() + " ms");
            Thread.sleep(1);
        }
    }
}
