package emend.weights;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import emend.model.Weights;
import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One published policy version: the encoded weights cut into chunks small enough for Artery's frames, and the
 * manifest that names their count and hashes.
 */
public final class WeightPublication {

    /** The contract's upper bound on a chunk. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    private final WeightManifest manifest;
    private final byte[] bytes;

    /** Whether a chunk of {@code chunkBytes} is within the contract: 1..{@link #MAX_CHUNK_BYTES}; the one home of the rule. */
    public static boolean isValidChunkSize(int chunkBytes) {
        return chunkBytes >= 1 && chunkBytes <= MAX_CHUNK_BYTES;
    }

    /** Refuses a chunk size outside the contract ({@link #isValidChunkSize}), naming the setting. */
    public static int checkChunkBytes(int chunkBytes) {
        if (!isValidChunkSize(chunkBytes)) {
            throw new IllegalArgumentException("emend.runtime.weight-chunk-bytes must be 1.." + MAX_CHUNK_BYTES + ", got " + chunkBytes
                    + " (chunks travel on Artery's large-message lane, frames up to 2 MiB)");
        }
        return chunkBytes;
    }

    public WeightPublication(long version, byte[] bytes, int chunkBytes, String modelConfigJson) {
        this(version, bytes, chunkBytes, modelConfigJson, digests(bytes, checkChunkBytes(chunkBytes)));
    }

    /**
     * Publishes {@code weights} as they are now, every core taking a share of the chunks; on the CPU each chunk is
     * copied and hashed in one pass by the same core (this sits between a learner step and the workers).
     */
    public static WeightPublication of(long version, Weights weights, int chunkBytes, String modelConfigJson) {
        checkChunkBytes(chunkBytes);
        ByteString[] digests = new ByteString[chunkCount(weights.config().parameterCount() * 4, chunkBytes)];
        byte[] bytes = WeightCodec.encode(weights, chunkBytes,
                (encoded, index, from, length) -> digests[index] = UnsafeByteOperations.unsafeWrap(sha256(encoded, from, length)));
        return new WeightPublication(version, bytes, chunkBytes, modelConfigJson, List.of(digests));
    }

    private WeightPublication(long version, byte[] bytes, int chunkBytes, String modelConfigJson, List<ByteString> digests) {
        this.bytes = bytes;
        this.manifest = WeightManifest.newBuilder()
                .setVersion(version)
                .setByteSize(bytes.length)
                .setChunkBytes(chunkBytes)
                .setChunkCount(digests.size())
                .addAllChunkSha256(digests)
                .setSha256(identity(digests))
                .setModelConfigJson(modelConfigJson)
                .setEncoding(WeightCodec.ENCODING)
                .build();
    }

    /** Chunks of a version of {@code byteSize} bytes: at least one, so that even an empty version has a digest. */
    static int chunkCount(long byteSize, int chunkBytes) {
        return Math.toIntExact(Math.max(1, (byteSize + chunkBytes - 1) / chunkBytes));
    }

    /** Chunks hash independently, so every core takes a share. */
    private static List<ByteString> digests(byte[] bytes, int chunkBytes) {
        return IntStream.range(0, chunkCount(bytes.length, chunkBytes)).parallel()
                .mapToObj(i -> {
                    int from = i * chunkBytes;
                    return UnsafeByteOperations.unsafeWrap(sha256(bytes, from, Math.min(bytes.length, from + chunkBytes) - from));
                })
                .toList();
    }

    public WeightManifest manifest() {
        return manifest;
    }

    public long version() {
        return manifest.getVersion();
    }

    /**
     * The encoded weights themselves, for workers in this JVM: shared, never copied and never written (every reader
     * only reads them). Their hashes are not checked again: they never left the process.
     */
    public byte[] sharedBytes() {
        return bytes;
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

    /** The manifest's {@code sha256}: lower-case hex SHA-256 of the chunk digests in order. */
    public static String identity(List<ByteString> chunkDigests) {
        MessageDigest sha = newSha256();
        chunkDigests.forEach(digest -> sha.update(digest.asReadOnlyByteBuffer()));
        return HexFormat.of().formatHex(sha.digest());
    }

    static byte[] sha256(byte[] bytes, int from, int length) {
        MessageDigest sha = newSha256();
        sha.update(bytes, from, length);
        return sha.digest();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
