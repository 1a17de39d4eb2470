package emend.wire;

import emend.checkpoint.HfModelConfig;
import emend.model.ModelConfig;
import emend.proto.WeightManifest;
import emend.weights.WeightCodec;
import emend.weights.WeightPublication;
import java.util.Optional;

/**
 * A weight manifest a worker may act on: its sizes agree with each other and with the model it describes (so
 * {@code byte_size} cannot make a worker allocate more than the model's weights), and its chunk digests hash to
 * its identity. Whether it comes from the right learner is the caller's check (epoch, hello nonce).
 */
public final class ManifestCheck {

    /** The longest {@code host:port} a stream address may be. */
    static final int MAX_ADDRESS = 300;

    private ManifestCheck() {}

    /** Why {@code manifest} is unusable, or empty when a worker may fetch it. */
    public static Optional<Rejection> check(String type, WeightManifest manifest) {
        if (manifest.getVersion() < 0) {
            return refuse(type, "version", "version " + manifest.getVersion());
        }
        if (!WeightCodec.ENCODING.equals(manifest.getEncoding())) {
            return refuse(type, "encoding", "encoding '" + VerifyCheck.clip(manifest.getEncoding()) + "'; this build reads " + WeightCodec.ENCODING);
        }
        ModelConfig config;
        try {
            config = HfModelConfig.fromJson(manifest.getModelConfigJson());
        } catch (RuntimeException e) {
            return refuse(type, "model_config", "the model config does not parse: " + VerifyCheck.clip(String.valueOf(e.getMessage())));
        }
        long expected = config.parameterCount() * 4;
        // the weights travel and assemble in one byte array
        if (manifest.getByteSize() != expected || expected <= 0 || expected > Integer.MAX_VALUE - 8) {
            return refuse(type, "byte_size", manifest.getByteSize() + " bytes for a model of " + expected + " bytes");
        }
        int chunkBytes = manifest.getChunkBytes();
        if (!WeightPublication.isValidChunkSize(chunkBytes) || manifest.getChunkCount() != (expected + chunkBytes - 1) / chunkBytes) {
            return refuse(type, "chunks", manifest.getChunkCount() + " chunks of " + chunkBytes + " bytes for " + expected + " bytes");
        }
        if (manifest.getChunkSha256Count() != manifest.getChunkCount()
                || manifest.getChunkSha256List().stream().anyMatch(digest -> digest.size() != 32)
                || !WeightPublication.identity(manifest.getChunkSha256List()).equals(manifest.getSha256())) {
            return refuse(type, "digest", "the chunk digests do not hash to the manifest's sha256");
        }
        if (manifest.getStreamAddress().length() > MAX_ADDRESS) {
            return refuse(type, "stream_address", "a stream address of " + manifest.getStreamAddress().length() + " characters");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> refuse(String type, String reason, String detail) {
        return Optional.of(new Rejection(type, reason, detail));
    }
}
