package emend.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Python half of the sandbox (judge.py, runner.py, wire.py, packaged beside this class).
 *
 * <p>The judge decides every verdict and holds the nonce, so it never runs from a file: its source and wire.py's
 * travel in its command line ({@link #judgeCommand}), and a candidate that can write where the harness lies (under
 * {@code unshare} or {@code none}, when it shares emend's uid) cannot change it. The runner, which hosts the
 * candidate, runs from a folder every uid can read and none but the owner can change (bwrap mounts it read-only);
 * {@link #folder} checks its files against the packaged ones before every verification and writes a fresh folder
 * when one was changed, so a candidate's edit never reaches a later candidate's runner.
 */
final class HarnessFiles {

    private static final String[] FILES = {"judge.py", "runner.py", "wire.py"};
    private static final Map<String, byte[]> PACKAGED = packaged();

    private static Path current;

    private HarnessFiles() {}

    /** The folder, written on first use and again whenever its files differ from the packaged ones. */
    static synchronized Path folder() {
        if (current == null || !intact(current)) {
            if (current != null) {
                System.err.println("emend: the code sandbox's harness files in " + current + " were changed (by a candidate that shares "
                        + "emend's uid?); verifying from a fresh copy. Use bwrap isolation, or run emend as root, to keep candidates out of them");
            }
            current = write();
        }
        return current;
    }

    /**
     * {@code python -I -S -c BOOT}: judge.py run from memory, with wire.py loaded from memory as its {@code wire}
     * module.
     */
    static java.util.List<String> judgeCommand(String python) {
        String boot = "import sys, types\n"
                + "wire = types.ModuleType('wire')\n"
                + "exec(compile(" + literal("wire.py") + ", 'wire.py', 'exec'), wire.__dict__)\n"
                + "sys.modules['wire'] = wire\n"
                + "exec(compile(" + literal("judge.py") + ", 'judge.py', 'exec'), {'__name__': '__main__', '__file__': 'judge.py'})\n";
        return java.util.List.of(python, "-I", "-S", "-c", boot);
    }

    /** A Python bytes literal of the packaged file, decoded as UTF-8 (no quoting pitfalls: every byte is escaped). */
    private static String literal(String name) {
        StringBuilder out = new StringBuilder("bytes.fromhex('");
        for (byte b : PACKAGED.get(name)) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.append("').decode('utf-8')").toString();
    }

    private static boolean intact(Path dir) {
        for (String name : FILES) {
            try {
                if (!Arrays.equals(sha256(Files.readAllBytes(dir.resolve(name))), sha256(PACKAGED.get(name)))) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, byte[]> packaged() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : FILES) {
            try (InputStream in = HarnessFiles.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(name + " is missing from the class path (a build problem: src/emend/sandbox/*.py "
                            + "must be packaged as resources)");
                }
                out.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the code sandbox's harness file " + name, e);
            }
        }
        return out;
    }

    private static Path write() {
        try {
            Path dir = Files.createTempDirectory("emend-harness-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            // deleted in reverse order of registration: the folder after its files
            dir.toFile().deleteOnExit();
            for (String name : FILES) {
                Path file = dir.resolve(name);
                Files.write(file, PACKAGED.get(name));
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                file.toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the code sandbox's harness files", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
