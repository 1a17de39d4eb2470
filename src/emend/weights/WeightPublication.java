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
import java.util.function.Consumer;
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
        this(version, bytes, chunkBytes, modelConfigJson,
                digests(bytes, checkChunkBytes(chunkBytes), hash -> eachChunk(bytes.length, chunkBytes, hash)));
    }

    /**
     * Publishes {@code weights} as they are now, every core taking a share of the chunks; on the CPU each chunk is
     * copied and hashed in one pass by the same core (this sits between a learner step and the workers).
     */
    public static WeightPublication of(long version, Weights weights, int chunkBytes, String modelConfigJson) {
        byte[] bytes = new byte[Math.toIntExact(weights.config().parameterCount() * 4)];
        List<ByteString> digests = digests(bytes, checkChunkBytes(chunkBytes), hash -> WeightCodec.encodeInto(weights, bytes, chunkBytes, hash));
        return new WeightPublication(version, bytes, chunkBytes, modelConfigJson, digests);
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
    private static int chunkCount(long byteSize, int chunkBytes) {
        return Math.toIntExact(Math.max(1, (byteSize + chunkBytes - 1) / chunkBytes));
    }

    /** One chunk: its index, and where it lies in the version's bytes. */
    @FunctionalInterface
    interface ChunkRange {
        void at(int index, int from, int length);
    }

    /** Runs {@code action} on every chunk of a version of {@code byteSize} bytes; chunks are independent, so every core takes a share. */
    static void eachChunk(int byteSize, int chunkBytes, ChunkRange action) {
        IntStream.range(0, chunkCount(byteSize, chunkBytes)).parallel().forEach(index -> {
            int from = index * chunkBytes;
            action.at(index, from, Math.min(byteSize, from + chunkBytes) - from);
        });
    }

    /** The chunks' digests of {@code bytes}, each hashed by the range {@code pass} hands over once that chunk is in place. */
    private static List<ByteString> digests(byte[] bytes, int chunkBytes, Consumer<ChunkRange> pass) {
        ByteString[] digests = new ByteString[chunkCount(bytes.length, chunkBytes)];
        pass.accept((index, from, length) -> digests[index] = UnsafeByteOperations.unsafeWrap(sha256(bytes, from, length)));
        return List.of(digests);
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
