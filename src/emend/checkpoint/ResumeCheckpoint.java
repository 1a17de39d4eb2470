package emend.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.util.JsonFormat;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.proto.TrainerState;
import emend.tokenize.Tokenizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a learner needs to resume a run exactly: the policy weights, the optimizer's moments, the selection rule's
 * best weights, any further weights the learner keeps (Stage I's own reference, the weight average), and the {@link TrainerState} (step, version, data position, dev curve, live parameters), in
 * {@code RUN_DIR/resume/}. The directory is built aside and swapped in by renames, so a crash while writing
 * leaves the previous complete state readable.
 */
public final class ResumeCheckpoint {

    public static final String DIRECTORY = "resume";
    public static final String STATE_FILE = "trainer-state.json";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final String POLICY = "policy";
    private static final String BEST = "best";
    private static final int FORMAT_VERSION = 1;

    private ResumeCheckpoint() {}

    /** A loaded state; its tensors live on a child manager freed by {@link #close()}. */
    public record Loaded(TrainerState state, Weights policy, Optional<Weights> best, Map<String, Weights> extra,
                         AdamW.State optimizer, NDManager manager)
            implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * Writes the state of a run to {@code runRoot/resume}, replacing the previous one.
     *
     * @param best the selection rule's best weights so far, or null
     * @param extra further weights the learner keeps, by name (a directory name: letters, digits and '-')
     * @return the directory written
     */
    public static Path write(Path runRoot, TrainerState state, Weights policy, Weights best, Map<String, Weights> extra,
                             AdamW.State optimizer, Tokenizer tokenizer) {
        Path target = runRoot.toAbsolutePath().normalize().resolve(DIRECTORY);
        Path temp = target.resolveSibling("." + DIRECTORY + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(temp);
            Checkpoint.save(temp.resolve(POLICY), policy, tokenizer, state.getStepsDone(), Map.of("role", "resume-policy"));
            if (best != null) {
                Checkpoint.save(temp.resolve(BEST), best, tokenizer, state.getBestStep(), Map.of("role", "resume-best"));
            }
            for (Map.Entry<String, Weights> entry : extra.entrySet()) {
                if (!plainName(entry.getKey())) {
                    throw new IllegalArgumentException("extra weights need a plain directory name other than policy and best, got '"
                            + entry.getKey() + "'");
                }
                Checkpoint.save(temp.resolve(entry.getKey()), entry.getValue(), tokenizer, state.getStepsDone(),
                        Map.of("role", "resume-" + entry.getKey()));
            }
            Map<String, NDArray> moments = new LinkedHashMap<>();
            optimizer.firstMoment().forEach((name, m) -> moments.put("m." + name, m));
            optimizer.secondMoment().forEach((name, v) -> moments.put("v." + name, v));
            MessageDigest sha = Checkpoint.sha256();
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(
                    temp.resolve(OPTIMIZER_FILE), StandardOpenOption.CREATE_NEW), 1 << 20), sha)) {
                Safetensors.write(out, moments, Map.of("format", "pt", "optimizer", "adamw"));
            }
            TrainerState complete = state.toBuilder()
                    .setFormatVersion(FORMAT_VERSION)
                    .setPolicyVersion(optimizer.step())
                    .setHasBest(best != null)
                    .clearExtraWeights()
                    .addAllExtraWeights(extra.keySet())
                    .setOptimizerSha256(HexFormat.of().formatHex(sha.digest()))
                    .build();
            Checkpoint.fsync(temp.resolve(OPTIMIZER_FILE));
            Checkpoint.writeString(temp.resolve(STATE_FILE), JsonFormat.printer().print(complete));
            Checkpoint.fsync(temp.resolve(STATE_FILE));
            Checkpoint.replace(temp, target);
            return target;
        } catch (IOException e) {
            Checkpoint.deleteTree(temp);
            throw new CheckpointException("cannot write the resume state " + target + ": " + e.getMessage()
                    + " (check free disk space and permissions)", e);
        } catch (RuntimeException e) {
            Checkpoint.deleteTree(temp);
            throw e;
        }
    }

    /** The resume directory of a run, if it has one (falling back to the previous state if a swap was cut short). */
    public static Optional<Path> find(Path runRoot) {
        Path dir = runRoot.resolve(DIRECTORY);
        if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
            return Optional.of(dir);
        }
        // a swap cut short between its two renames leaves the previous state aside; the newest one is the latest
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> old = Files.newDirectoryStream(runRoot, "." + DIRECTORY + ".old-*")) {
            old.forEach(candidates::add);
        } catch (IOException e) {
            return Optional.empty();
        }
        return candidates.stream()
                .filter(candidate -> Files.isRegularFile(candidate.resolve(STATE_FILE)))
                .max(Comparator.comparingLong(candidate -> Long.parseLong(candidate.getFileName().toString().replaceAll("\\D", ""))));
    }

    /** Reads the trainer state alone (cheap: no tensors). */
    public static TrainerState readState(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        TrainerState.Builder builder = TrainerState.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(file), builder);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(dir + " holds no resume state: " + STATE_FILE + " is missing (the write was interrupted; "
                    + "an older state, if any, is in a hidden .resume.old directory beside it)");
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + " is corrupt: " + e.getMessage(), e);
        }
        TrainerState state = builder.build();
        if (state.getFormatVersion() != FORMAT_VERSION) {
            throw new CheckpointException(file + " has format version " + state.getFormatVersion() + "; this build reads version "
                    + FORMAT_VERSION + " (resume with the Emend version that wrote it)");
        }
        return state;
    }

    /**
     * Loads and verifies the state in {@code dir} (every file's hash).
     *
     * @throws CheckpointException naming the file and the failed check
     */
    public static Loaded read(Path dir, NDManager parent) {
        TrainerState state = readState(dir);
        Path optimizerFile = dir.resolve(OPTIMIZER_FILE);
        String actual = sha256Of(optimizerFile);
        if (!actual.equals(state.getOptimizerSha256())) {
            throw new CheckpointException("optimizer state " + optimizerFile + " is corrupt: sha256 " + actual + " does not match "
                    + STATE_FILE + "'s " + state.getOptimizerSha256() + "; restore the run directory from a copy");
        }
        NDManager manager = parent.newSubManager();
        try {
            Weights policy = Checkpoint.load(dir.resolve(POLICY), manager).weights();
            Optional<Weights> best = state.getHasBest() ? Optional.of(Checkpoint.load(dir.resolve(BEST), manager).weights()) : Optional.empty();
            Map<String, Weights> extra = new LinkedHashMap<>();
            for (String name : state.getExtraWeightsList()) {
                if (!plainName(name)) {
                    throw new CheckpointException(dir.resolve(STATE_FILE) + " names extra weights '" + name
                            + "', not a plain directory of the resume state; restore the run directory from a copy");
                }
                extra.put(name, Checkpoint.load(dir.resolve(name), manager).weights());
            }
            Map<String, NDArray> first = new LinkedHashMap<>();
            Map<String, NDArray> second = new LinkedHashMap<>();
            Safetensors.read(optimizerFile, manager).forEach((name, tensor) -> {
                if (name.startsWith("m.")) {
                    first.put(name.substring(2), tensor);
                } else if (name.startsWith("v.")) {
                    second.put(name.substring(2), tensor);
                } else {
                    throw new CheckpointException(optimizerFile + " holds an unexpected tensor " + name + " (expected m.* and v.*)");
                }
            });
            return new Loaded(state, policy, best, extra, new AdamW.State(state.getPolicyVersion(), first, second), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A name extra weights may have: a directory of the resume state beside, not over, the policy's and best's. */
    private static boolean plainName(String name) {
        return name.matches("[a-z0-9-]+") && !name.equals(POLICY) && !name.equals(BEST);
    }

    private static String sha256Of(Path file) {
        MessageDigest sha = Checkpoint.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (NoSuchFileException e) {
            throw new CheckpointException("resume state " + file.getParent() + " lacks " + file.getFileName() + "; restore it from a copy");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
