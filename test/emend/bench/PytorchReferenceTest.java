package emend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emend.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchReferenceTest {

    private static final ModelConfig SHAPE = new ModelConfig(64, 96, 32, 2, 4, 2, 64, 10_000, 1e-5, true);

    @TempDir
    Path dir;

    /** A stand-in for Python that records its arguments and prints {@code output}. */
    private Path fakePython(String output, int exit) throws IOException {
        Path script = dir.resolve("python");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" > " + dir.resolve("args") + "\necho \"$OPENBLAS_NUM_THREADS\" > " + dir.resolve("blas")
                + "\necho '" + output + "'\nexit " + exit + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void passesTheShapeAndThreads_andReadsTheLastLine() throws IOException {
        Path python = fakePython("{\"gen_tokens_per_s_batch1\": 12.5, \"train_tokens_per_s\": 7}", 0);
        PytorchReference.Figures figures = assertInstanceOf(PytorchReference.Figures.class, PytorchReference.run(python.toString(), SHAPE, 3));
        assertEquals(12.5, figures.get("gen_tokens_per_s_batch1"));
        String args = Files.readString(dir.resolve("args"));
        assertTrue(args.contains("pytorch_reference.py --vocab 64 --width 32 --layers 2 --heads 4 --kv-heads 2 --ffn 64 --context 96 --threads 3")
                && args.contains("--tied true"), args);
        assertEquals(expectedBlasThreads(), Files.readString(dir.resolve("blas")).strip(), "OpenBLAS's own pool must not compete with PyTorch's threads");
    }

    @Test
    void aPythonThatFailsOrIsMissing_isSkippedWithTheReason() throws IOException {
        String missing = assertInstanceOf(PytorchReference.Skipped.class, PytorchReference.run(dir.resolve("nope").toString(), SHAPE, 1)).reason();
        assertTrue(missing.contains("could not be started"), missing);
        String noTorch = assertInstanceOf(PytorchReference.Skipped.class,
                PytorchReference.run(fakePython("ModuleNotFoundError: No module named 'torch'", 1).toString(), SHAPE, 1)).reason();
        assertTrue(noTorch.contains("apt-get install python3-torch"), noTorch);
    }

    /** 1, unless this test's environment names a number of BLAS threads itself. */
    private static String expectedBlasThreads() {
        String set = System.getenv(PytorchReference.BLAS_THREADS);
        return set == null || set.isBlank() ? "1" : set;
    }

    /** A Python with PyTorch on this machine (the one on the PATH, or Debian's python3-torch), if any. */
    private static String pythonWithTorch() throws InterruptedException {
        for (String python : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                if (new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start().waitFor() == 0) {
                    return python;
                }
            } catch (IOException absent) {
                // try the next
            }
        }
        return null;
    }

    /** The real script, where a Python with PyTorch is installed: every figure present and positive. */
    @Test
    void theScriptRunsUnderPytorch() throws InterruptedException {
        String python = pythonWithTorch();
        assumeTrue(python != null, "no Python with PyTorch here");
        PytorchReference.Figures figures = assertInstanceOf(PytorchReference.Figures.class, PytorchReference.run(python, SHAPE, 1));
        for (String key : new String[] {"gen_tokens_per_s_batch1", "gen_tokens_per_s_batch32", "gen_tokens_per_s_batch128", "train_tokens_per_s"}) {
            assertTrue(figures.get(key) > 0, key + " in " + figures.values());
        }
        assertEquals(1, figures.values().get("threads").getAsInt());
        assertEquals(expectedBlasThreads(), figures.values().get("blas_threads").getAsString());
        assertEquals(SHAPE.parameterCount(), figures.values().get("parameters").getAsLong(), "the same shape as Emend's model");
    }
}
