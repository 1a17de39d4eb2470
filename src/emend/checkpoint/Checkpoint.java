package emend.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.proto.CheckpointManifest;
import emend.tokenize.Tokenizer;
import emend.tokenize.Tokenizers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint directory: {@code model.safetensors} (Hugging Face Llama tensor names), {@code config.json}
 * (Hugging Face model config), the tokenizer's files where it has any ({@code tokenizer.json}) and
 * {@code emend-checkpoint.json} (manifest with the weights' size and SHA-256). Without the manifest it is what
 * Hugging Face's {@code save_pretrained} writes, so transformers loads it; a Hugging Face model directory loads
 * here too ({@link HfModelDirectory}).
 *
 * <p>Saving writes a temporary sibling directory, syncs it, then renames it into place, so a reader never sees
 * a half-written checkpoint. Loading checks size, hash, header, names, shapes and dtypes before any weight is
 * used, and says which check failed.
 */
public final class Checkpoint {

    public static final String MANIFEST_FILE = "emend-checkpoint.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String CONFIG_FILE = "config.json";
    private static final int FORMAT_VERSION = 1;

    private Checkpoint() {}

    /** What {@link #load} returns; closing it frees the weights. */
    public record Loaded(Weights weights, Tokenizer tokenizer, CheckpointManifest manifest) implements AutoCloseable {
        @Override
        public void close() {
            weights.close();
        }
    }

    /** Writes {@code weights} to {@code dir} atomically, replacing an existing checkpoint there. */
    public static void save(Path dir, Weights weights, Tokenizer tokenizer, long step, Map<String, String> metadata) {
        Path target = dir.toAbsolutePath().normalize();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(temp);
            MessageDigest sha = sha256();
            long bytes;
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(
                    temp.resolve(WEIGHTS_FILE), StandardOpenOption.CREATE_NEW), 1 << 20), sha)) {
                bytes = Safetensors.write(out, weights.tensors(), Map.of("format", "pt"));
            }
            writeString(temp.resolve(CONFIG_FILE), HfModelConfig.toJson(weights.config(), tokenizer.specials()));
            tokenizer.saveFiles(temp);
            CheckpointManifest manifest = CheckpointManifest.newBuilder()
                    .setFormatVersion(FORMAT_VERSION)
                    .setWeightsFile(WEIGHTS_FILE)
                    .setWeightsBytes(bytes)
                    .setWeightsSha256(HexFormat.of().formatHex(sha.digest()))
                    .setTokenizerKind(tokenizer.kind())
                    .setStep(step)
                    .setCreatedAt(Instant.now().toString())
                    .putAllMetadata(metadata)
                    .build();
            writeString(temp.resolve(MANIFEST_FILE), JsonFormat.printer().print(manifest));
            try (var files = Files.list(temp)) {
                for (Path file : files.toList()) {
                    fsync(file);
                }
            }
            replace(temp, target);
        } catch (IOException e) {
            deleteTree(temp);
            throw new CheckpointException("cannot write checkpoint " + target + ": " + e.getMessage()
                    + " (check free disk space and permissions)", e);
        }
    }

    /**
     * Loads and verifies the checkpoint in {@code dir}; the weights live on a new child manager of {@code parent}.
     *
     * @throws CheckpointException naming the file and the failed check
     */
    public static Loaded load(Path dir, NDManager parent) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + " is not a directory: give a checkpoint or Hugging Face model directory");
        }
        if (!Files.exists(dir.resolve(MANIFEST_FILE)) && Files.exists(dir.resolve(CONFIG_FILE))) {
            return HfModelDirectory.load(dir, parent);
        }
        CheckpointManifest manifest = readManifest(dir);
        Path weightsFile = dir.resolve(manifest.getWeightsFile());
        verifySizeAndHash(weightsFile, manifest);
        ModelConfig config;
        try {
            config = HfModelConfig.fromJson(Files.readString(dir.resolve(CONFIG_FILE)));
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint " + dir + " has no " + CONFIG_FILE + ": restore it from the run that wrote the checkpoint");
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + CONFIG_FILE + " is invalid: " + e.getMessage(), e);
        }
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizers.forCheckpoint(manifest.getTokenizerKind(), dir);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + e.getMessage(), e);
        }
        requireVocabulary(dir, config, tokenizer);
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors;
        try {
            tensors = Safetensors.read(weightsFile, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        try {
            return new Loaded(Weights.of(config, manager, tensors), tokenizer, manifest);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The model needs an embedding for every id the tokenizer can produce (it may have more: padded vocabularies). */
    static void requireVocabulary(Path dir, ModelConfig config, Tokenizer tokenizer) {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new CheckpointException("checkpoint " + dir + ": config.json has vocab_size " + config.vocabSize()
                    + " but tokenizer " + tokenizer.kind() + " has " + tokenizer.vocabSize() + " tokens");
        }
    }

    /** Reads only the manifest (cheap), e.g. to list checkpoints. */
    public static CheckpointManifest readManifest(Path dir) {
        Path file = dir.resolve(MANIFEST_FILE);
        String json;
        try {
            json = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(dir + " is not a checkpoint: it has no " + MANIFEST_FILE
                    + " (a save that was interrupted leaves only a hidden .tmp directory)");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        CheckpointManifest.Builder builder = CheckpointManifest.newBuilder();
        try {
            JsonFormat.parser().merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new CheckpointException(file + " is corrupt: " + e.getMessage(), e);
        }
        CheckpointManifest manifest = builder.build();
        if (manifest.getFormatVersion() != FORMAT_VERSION) {
            throw new CheckpointException(file + " has format version " + manifest.getFormatVersion()
                    + "; this build reads version " + FORMAT_VERSION + " (use the Emend version that wrote it)");
        }
        return manifest;
    }

    private static void verifySizeAndHash(Path weightsFile, CheckpointManifest manifest) {
        long size;
        try {
            size = Files.size(weightsFile);
        } catch (IOException e) {
            throw new CheckpointException("checkpoint weights " + weightsFile + " are missing or unreadable: " + e.getMessage(), e);
        }
        if (size != manifest.getWeightsBytes()) {
            throw new CheckpointException("checkpoint weights " + weightsFile + " have " + size + " bytes but the manifest records "
                    + manifest.getWeightsBytes() + ": the file is " + (size < manifest.getWeightsBytes() ? "truncated" : "altered")
                    + "; copy it again or use another checkpoint");
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(weightsFile), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + weightsFile + ": " + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(manifest.getWeightsSha256())) {
            throw new CheckpointException("checkpoint weights " + weightsFile + " are corrupt: sha256 " + actual
                    + " does not match the manifest's " + manifest.getWeightsSha256() + "; copy it again or use another checkpoint");
        }
    }

    static void replace(Path temp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another writer created " + target + " concurrently", e);
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    static void writeString(Path file, String text) throws IOException {
        Files.writeString(file, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: a leftover hidden directory is harmless and named for what it is.
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
