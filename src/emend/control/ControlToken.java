package emend.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The control endpoint's shared secret: configured, or generated per start and left in the run directory. */
public final class ControlToken {

    /** Name of the file a generated token is written to, in the run directory. */
    public static final String FILE_NAME = "control.token";

    private static final int GENERATED_BYTES = 32;

    private final String value;

    private ControlToken(String value) {
        this.value = value;
    }

    /** A token given on the command line or in the environment. */
    public static ControlToken of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the control token is empty");
        }
        return new ControlToken(value.strip());
    }

    /**
     * The configured token when {@code configured} is not blank; otherwise a fresh random one written to
     * {@code runDirectory/control.token}, readable by its owner only, for {@code emend ctl --token-file}.
     */
    public static ControlToken resolve(String configured, Path runDirectory) {
        if (!configured.isBlank()) {
            return of(configured);
        }
        byte[] secret = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(secret);
        ControlToken token = new ControlToken(HexFormat.of().formatHex(secret));
        token.writeOwnerOnly(runDirectory);
        return token;
    }

    /** The token in {@code file} (as {@link #resolve} writes it), with an error that names the file. */
    public static ControlToken read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("control token file " + file + " does not exist: the learner node writes "
                    + FILE_NAME + " into its run directory when it starts (unless emend.control.token is set)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read control token file " + file + ": " + e.getMessage(), e);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("control token file " + file + " is empty; it should hold the token the learner node "
                    + "wrote at start (" + FILE_NAME + " in its run directory)");
        }
        return new ControlToken(text.strip());
    }

    /** Compares in constant time, so response times do not reveal how much of a guess was right. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The secret itself, for the client's Authorization header. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return "ControlToken[redacted]";
    }

    /**
     * Writes to a temporary file created rw------- (never readable by others, not even briefly), then moves it into
     * place, so a client never reads a half-written token and a restart replaces the old one.
     */
    private void writeOwnerOnly(Path runDirectory) {
        try {
            Files.createDirectories(runDirectory);
            Path temporary;
            try {
                temporary = Files.createTempFile(runDirectory, FILE_NAME, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                // e.g. FAT or Windows: the file system's own access rules apply
                temporary = Files.createTempFile(runDirectory, FILE_NAME, ".tmp");
            }
            Files.writeString(temporary, value + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, runDirectory.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the control token to " + runDirectory.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }
}
