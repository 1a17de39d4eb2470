package emend.weights;

import emend.proto.WeightChunk;
import emend.proto.WeightManifest;

/**
 * A worker's side of a weight fetch: collects the chunks of one manifest in any order and hands out the bytes
 * only when every chunk is there and their SHA-256 matches the manifest.
 */
public final class WeightAssembly {

    /** The assembled bytes do not hash to the manifest's value: a chunk was corrupted on the way. */
    public static final class HashMismatchException extends RuntimeException {
        HashMismatchException(String message) {
            super(message);
        }
    }

    private final WeightManifest manifest;
    private final byte[] bytes;
    private final boolean[] received;
    private int missing;

    public WeightAssembly(WeightManifest manifest) {
        if (!WeightCodec.ENCODING.equals(manifest.getEncoding())) {
            throw new IllegalArgumentException("weights of version " + manifest.getVersion() + " use encoding '" + manifest.getEncoding()
                    + "'; this build reads " + WeightCodec.ENCODING + " (run the same Emend version on every node)");
        }
        this.manifest = manifest;
        this.bytes = new byte[Math.toIntExact(manifest.getByteSize())];
        this.received = new boolean[manifest.getChunkCount()];
        this.missing = manifest.getChunkCount();
    }

    public WeightManifest manifest() {
        return manifest;
    }

    /**
     * Stores a chunk of this version; chunks of other versions, repeats and chunks of the wrong size are ignored
     * (returns false).
     */
    public boolean accept(WeightChunk chunk) {
        int index = chunk.getIndex();
        if (chunk.getVersion() != manifest.getVersion() || index < 0 || index >= received.length || received[index]) {
            return false;
        }
        int from = index * manifest.getChunkBytes();
        int expected = Math.min(bytes.length - from, manifest.getChunkBytes());
        if (chunk.getData().size() != expected) {
            return false;
        }
        chunk.getData().copyTo(bytes, from);
        received[index] = true;
        missing--;
        return true;
    }

    public boolean complete() {
        return missing == 0;
    }

    /** The first chunk index not yet received, or -1. */
    public int nextMissing(int from) {
        for (int i = Math.max(0, from); i < received.length; i++) {
            if (!received[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The verified bytes.
     *
     * @throws HashMismatchException if they do not hash to the manifest's SHA-256 (fetch the version again)
     * @throws IllegalStateException if chunks are missing
     */
    public byte[] verifiedBytes() {
        if (!complete()) {
            throw new IllegalStateException(missing + " chunks of version " + manifest.getVersion() + " are missing");
        }
        String actual = WeightPublication.sha256(bytes);
        if (!actual.equals(manifest.getSha256())) {
            throw new HashMismatchException("weights of version " + manifest.getVersion() + " hash to " + actual
                    + " but the manifest says " + manifest.getSha256());
        }
        return bytes;
    }
}
