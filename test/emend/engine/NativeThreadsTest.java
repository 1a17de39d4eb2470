package emend.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** emend.runtime.native-threads reaches libtorch: a fresh JVM that caps its threads before the engine starts has that many. */
final class NativeThreadsTest {

    /** Run in a child JVM: caps at the argument, starts the engine, prints libtorch's intra-op and inter-op thread counts. */
    public static void main(String[] args) {
        DjlRuntime.limitNativeThreads(Integer.parseInt(args[0]));
        DjlRuntime.engine();
        System.out.println("threads " + JniUtils.getNumThreads() + " " + JniUtils.getNumInteropThreads());
    }

    @Test
    void aCapSetBeforeTheEngineStartsIsLibtorchs() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), NativeThreadsTest.class.getName(), "3").redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        child.waitFor(120, TimeUnit.SECONDS);
        List<String> line = output.lines().filter(l -> l.startsWith("threads ")).toList();
        assertEquals(List.of("threads 3 1"), line, "libtorch picks one thread per core by default; asked for 3 and 1:\n" + output);
    }
}
