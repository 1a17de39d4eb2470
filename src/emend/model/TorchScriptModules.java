package emend.model;

import ai.djl.Device;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import emend.engine.DjlRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * TorchScript modules Emend writes itself, so that a run of small operators costs one native call instead of one
 * each: the archive (an uncompressed zip of the code as text, a pickle naming the class with {@code training =
 * False}, an empty constants table and the format version) is built here, with no Python involved, and loaded once
 * per code and device for the life of the JVM (a module holds no weights: they are arguments). The graph
 * executor's optimisations are turned off on every thread that runs such a module (libtorch keeps the switch per
 * thread): a fused kernel, as the CUDA fuser makes, could round differently from the operators it replaces.
 */
public final class TorchScriptModules {

    /** The archive's empty constants table: protocol 2, an empty tuple. */
    private static final byte[] EMPTY_TUPLE_PICKLE = {(byte) 0x80, 0x02, 0x29, 0x2e};
    /**
     * The serialization format version the archive declares: 4, the first whose {@code torch.div} is true division, so
     * libtorch 2.x reads the code as written instead of inserting its upgrader for older archives.
     */
    private static final String FORMAT_VERSION = "4\n";

    /**
     * A loaded module's identity. A record, not a joined string: the sampler looks its module up at every token, and a
     * constant code string keeps its hash, so a lookup neither copies nor rehashes the code.
     */
    private record Key(String className, String code, Device device) {}

    private static final Map<Key, PtSymbolBlock> MODULES = new ConcurrentHashMap<>();
    /** Whether this thread has turned the graph executor's rewrites off. */
    private static final ThreadLocal<Boolean> PLAIN_EXECUTOR = ThreadLocal.withInitial(() -> false);

    private TorchScriptModules() {}

    /**
     * The module of class {@code className} defined by {@code code} (serialized TorchScript: a class deriving from
     * Module), on {@code device}, loaded on first use.
     *
     * @throws IllegalStateException naming the device when libtorch refuses it
     */
    public static PtSymbolBlock module(String className, String code, Device device) {
        return MODULES.computeIfAbsent(new Key(className, code, device), key -> load(className, code, device));
    }

    /** Call before running a module on this thread: turns the executor's rewrites off here, once. */
    public static void plainExecutor() {
        if (!PLAIN_EXECUTOR.get()) {
            JniUtils.setGraphExecutorOptimize(false);
            PLAIN_EXECUTOR.set(true);
        }
    }

    private static PtSymbolBlock load(String className, String code, Device device) {
        // the module outlives the manager of the model that first needed it
        PtNDManager owner = (PtNDManager) DjlRuntime.engine().newBaseManager(device);
        try {
            return JniUtils.loadModule(owner, new ByteArrayInputStream(archive(className, code)), true, false);
        } catch (IOException | RuntimeException e) {
            owner.close();
            throw new IllegalStateException("the scripted " + className + " did not load on " + device + ": " + e.getMessage(), e);
        }
    }

    private static byte[] archive(String className, String code) {
        String folder = className.toLowerCase(Locale.ROOT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, folder + "/data.pkl", pickle(className));
            stored(zip, folder + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, folder + "/constants.pkl", EMPTY_TUPLE_PICKLE);
            stored(zip, folder + "/version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** Protocol-2 pickle of the module object: GLOBAL '__torch__ CLASS', EMPTY_TUPLE, NEWOBJ, {'training': False}, BUILD, STOP. */
    private static byte[] pickle(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(0x02);
        out.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')');
        out.write(0x81);
        out.write('}');
        out.write('(');
        byte[] training = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X');
        out.write(training.length);
        out.write(0);
        out.write(0);
        out.write(0);
        out.writeBytes(training);
        out.write(0x89);
        out.write('u');
        out.write('b');
        out.write('.');
        return out.toByteArray();
    }
}
