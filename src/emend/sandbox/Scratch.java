package emend.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A candidate's private working folder on the host (isolation unshare or none; bwrap gives it a tmpfs instead):
 * created empty and readable by nobody else, removed with whatever the candidate left in it.
 */
final class Scratch {

    private Scratch() {}

    static Path create(int uid) {
        try {
            Path dir = Files.createTempDirectory("emend-candidate-");
            HostUser.handOver(dir, uid);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder for a code candidate", e);
        }
    }

    /** Removes {@code dir}; a candidate may have taken the permissions off its own folders, so they are restored first. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).forEach(Scratch::openUp);
        } catch (IOException | UncheckedIOException e) {
            // best effort: what stays is reported by the deletion below
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the scratch folder " + dir, e);
        }
    }

    private static void openUp(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            // not ours to change (owned by another uid): deletion will say so
        }
    }
}
