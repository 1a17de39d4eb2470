package emend.weights;

import com.google.protobuf.UnsafeByteOperations;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One published policy version: the encoded weights cut into chunks small enough for Artery's frames, and the
 * manifest that names their count and hash.
 */
public final class WeightPublication {

    /** The contract's upper bound on a chunk. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    private final WeightManifest manifest;
    private final byte[] bytes;

    public WeightPublication(long version, byte[] bytes, int chunkBytes, String modelConfigJson) {
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("weight chunks must be 1.." + MAX_CHUNK_BYTES + " bytes, got " + chunkBytes
                    + " (emend.runtime.weight-chunk-bytes; chunks travel on Artery's large-message lane, frames up to 2 MiB)");
        }
        this.bytes = bytes;
        this.manifest = WeightManifest.newBuilder()
                .setVersion(version)
                .setByteSize(bytes.length)
                .setChunkBytes(chunkBytes)
                .setChunkCount(Math.max(1, (bytes.length + chunkBytes - 1) / chunkBytes))
                .setSha256(sha256(bytes))
                .setModelConfigJson(modelConfigJson)
                .setEncoding(WeightCodec.ENCODING)
                .build();
    }

    public WeightManifest manifest() {
        return manifest;
    }

    public long version() {
        return manifest.getVersion();
    }

    /** Chunk {@code index} (0-based). */
    public WeightChunk chunk(int index) {
        if (index < 0 || index >= manifest.getChunkCount()) {
            throw new IllegalArgumentException("version " + version() + " has chunks 0.." + (manifest.getChunkCount() - 1)
                    + ", not " + index);
        }
        int from = index * manifest.getChunkBytes();
        int to = Math.min(bytes.length, from + manifest.getChunkBytes());
        // A view, not a copy: the encoded bytes are never written after construction.
        return WeightChunk.newBuilder().setVersion(version()).setIndex(index)
                .setData(UnsafeByteOperations.unsafeWrap(bytes, from, to - from)).build();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
