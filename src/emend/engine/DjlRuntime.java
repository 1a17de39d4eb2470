package emend.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Starts DJL's PyTorch engine offline and picks the device.
 *
 * <p>{@link #configureOffline()} must run before any DJL class loads: DJL reads these switches once, and without
 * them it looks for natives online and calls a cloud metadata address at start-up.
 */
public final class DjlRuntime {

    private DjlRuntime() {}

    /** Forbids DJL downloads and usage tracking for this JVM. */
    public static void configureOffline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.default_engine", "PyTorch");
    }

    /**
     * Caps libtorch's thread pools at {@code threads} intra-op threads and one inter-op thread, when the engine starts
     * after this call (DJL reads the two properties once); 0 leaves libtorch's default (one per core).
     */
    public static void limitNativeThreads(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** The intra-op threads libtorch runs with in this JVM: the cap set above, else one per core. */
    public static int intraOpThreads() {
        return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    }

    /** The PyTorch engine (natives unpacked from the Maven jar on first use). */
    public static Engine engine() {
        configureOffline();
        return Engine.getEngine("PyTorch");
    }

    /**
     * The device named by {@code spec}: {@code cpu}, {@code gpu} (index 0) or {@code gpu:N}.
     *
     * @throws IllegalArgumentException for a malformed spec or a GPU the engine cannot see
     */
    public static Device device(String spec) {
        Engine engine = engine();
        if (spec.equals("cpu")) {
            return Device.cpu();
        }
        if (spec.equals("gpu") || spec.startsWith("gpu:")) {
            int index;
            try {
                index = spec.equals("gpu") ? 0 : Integer.parseInt(spec.substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + spec + "' is malformed: use cpu, gpu or gpu:N");
            }
            if (index >= engine.getGpuCount()) {
                throw new IllegalArgumentException("device '" + spec + "' is not available: the engine sees "
                        + engine.getGpuCount() + " GPU(s); use cpu, or install a CUDA build of the PyTorch natives");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("device '" + spec + "' is malformed: use cpu, gpu or gpu:N");
    }

    /**
     * Turns autograd recording off for the calling thread. PyTorch's grad mode is per thread and starts on in
     * every new thread (DJL turns it off only on the thread that loads the engine); a pool thread that runs
     * models must call this first, or inference records graphs and the optimizer's in-place update fails.
     */
    public static void gradientsOffOnThisThread() {
        engine();
        JniUtils.setGradMode(false);
    }

    /** Runs {@code work} with autograd off on the calling thread, then restores the thread's grad mode. */
    public static <T> T withoutGradients(Supplier<T> work) {
        boolean before = gradientsOnThisThread();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /** Whether autograd records on the calling thread (PyTorch's grad mode is per thread). */
    public static boolean gradientsOnThisThread() {
        return JniUtils.isGradMode();
    }
}
