package emend.verify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The Python half of the sandbox (judge.py, runner.py, wire.py, packaged beside this class), written once per
 * JVM to a folder every uid can read and none but the owner can change; bwrap mounts it read-only.
 */
final class HarnessFiles {

    private static final String[] FILES = {"judge.py", "runner.py", "wire.py"};

    private HarnessFiles() {}

    /** The folder, written on first use. */
    static Path folder() {
        return Holder.FOLDER;
    }

    private static final class Holder {
        static final Path FOLDER = write();
    }

    private static Path write() {
        try {
            Path dir = Files.createTempDirectory("emend-harness-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            // deleted in reverse order of registration: the folder after its files
            dir.toFile().deleteOnExit();
            for (String name : FILES) {
                Path file = dir.resolve(name);
                try (InputStream in = HarnessFiles.class.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IllegalStateException(name + " is missing from the class path (a build problem: src/emend/verify/*.py "
                                + "must be packaged as resources)");
                    }
                    Files.copy(in, file);
                }
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                file.toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the code sandbox's harness files", e);
        }
    }
}
