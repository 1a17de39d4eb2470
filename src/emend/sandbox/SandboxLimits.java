package emend.sandbox;

import java.time.Duration;

/**
 * What one candidate may use: wall-clock time for the whole verification, CPU seconds, address space per
 * process, processes (and threads) at once, bytes of output, and the size of its private scratch space.
 *
 * <p>Memory is limited per process, so the most a candidate can hold at once is {@code maxProcesses ×
 * addressSpaceBytes} plus its scratch space; keep the product within what the machine can spare.
 */
public record SandboxLimits(Duration wallTimeout, int cpuSeconds, long addressSpaceBytes, int maxProcesses, int outputBytes,
                            long scratchBytes) {

    public SandboxLimits {
        if (wallTimeout.isNegative() || wallTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("emend.verify.timeout must be at least 100ms, got " + wallTimeout);
        }
        if (cpuSeconds < 1) {
            throw new IllegalArgumentException("emend.verify.cpu-seconds must be >= 1, got " + cpuSeconds);
        }
        // python3 itself needs some 30 MiB of address space to start
        if (addressSpaceBytes < (64L << 20)) {
            throw new IllegalArgumentException("emend.verify.address-space must be at least 64MiB (python3 needs it to start), got "
                    + addressSpaceBytes + " bytes");
        }
        // the runner and, under bwrap, the namespace's init process count too
        if (maxProcesses < 2) {
            throw new IllegalArgumentException("emend.verify.max-processes must be >= 2, got " + maxProcesses);
        }
        if (outputBytes < 1024) {
            throw new IllegalArgumentException("emend.verify.output-limit must be at least 1KiB, got " + outputBytes + " bytes");
        }
        if (scratchBytes < (1L << 20)) {
            throw new IllegalArgumentException("emend.verify.scratch-size must be at least 1MiB, got " + scratchBytes + " bytes");
        }
    }
}
