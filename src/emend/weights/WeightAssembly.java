package emend.weights;

import emend.proto.WeightChunk;
import emend.proto.WeightManifest;
import java.security.MessageDigest;

/**
 * A worker's side of a weight fetch: collects the chunks of one manifest in any order, checks each against the
 * manifest's digest as it arrives, and hands out the bytes once every chunk is in.
 */
public final class WeightAssembly {

    /** What became of a chunk offered to the assembly. */
    public enum Receipt {
        /** Stored: it matched its digest. */
        STORED,
        /** Not for this assembly (another version, an index out of range, a repeat or the wrong size): dropped. */
        IGNORED,
        /** Its bytes do not hash to the manifest's digest: corrupted on the way; fetch it again. */
        CORRUPTED
    }

    private final WeightManifest manifest;
    private final byte[] bytes;
    private final boolean[] received;
    private int missing;

    /**
     * @throws IllegalArgumentException if the manifest's encoding is not this build's, or its chunk digests are
     *     missing or do not hash to its {@code sha256}
     */
    public WeightAssembly(WeightManifest manifest) {
        if (!WeightCodec.ENCODING.equals(manifest.getEncoding())) {
            throw new IllegalArgumentException("weights of version " + manifest.getVersion() + " use encoding '" + manifest.getEncoding()
                    + "'; this build reads " + WeightCodec.ENCODING + " (run the same Emend version on every node)");
        }
        if (manifest.getChunkSha256Count() != manifest.getChunkCount()
                || !WeightPublication.identity(manifest.getChunkSha256List()).equals(manifest.getSha256())) {
            throw new IllegalArgumentException("the manifest of version " + manifest.getVersion() + " has " + manifest.getChunkSha256Count()
                    + " chunk digests for " + manifest.getChunkCount() + " chunks, or they do not hash to its sha256 "
                    + manifest.getSha256() + " (corrupted, or sent by a different Emend version)");
        }
        this.manifest = manifest;
        this.bytes = new byte[Math.toIntExact(manifest.getByteSize())];
        this.received = new boolean[manifest.getChunkCount()];
        this.missing = manifest.getChunkCount();
    }

    public WeightManifest manifest() {
        return manifest;
    }

    /** Stores a chunk of this version if it matches its digest. */
    public Receipt accept(WeightChunk chunk) {
        Slot slot = open(chunk.getVersion(), chunk.getIndex(), chunk.getData().size());
        if (slot == null) {
            return Receipt.IGNORED;
        }
        chunk.getData().copyTo(bytes, slot.position());
        slot.wrote(slot.remaining());
        return slot.close();
    }

    /**
     * Where chunk {@code index} of {@code version}, {@code length} bytes long, goes: its bytes are written there in
     * pieces as they arrive (each hashed while it is in the cache, as the stream reads it), then the slot is closed.
     *
     * @return null when the chunk is not for this assembly (another version, an index out of range, a repeat or the
     *     wrong size): its bytes are to be skipped
     */
    Slot open(long version, int index, int length) {
        if (version != manifest.getVersion() || index < 0 || index >= received.length || received[index]) {
            return null;
        }
        int from = index * manifest.getChunkBytes();
        return length == Math.min(bytes.length - from, manifest.getChunkBytes()) ? new Slot(index, from, length) : null;
    }

    /** One chunk's place in the assembly; until {@link #close()} finds it whole and matching, the chunk stays missing. */
    final class Slot {
        private final int index;
        private final int offset;
        private final int length;
        private final MessageDigest digest = WeightPublication.newSha256();
        private int written;

        private Slot(int index, int offset, int length) {
            this.index = index;
            this.offset = offset;
            this.length = length;
        }

        /** The array the chunk's bytes go into, at {@link #position()}. */
        byte[] array() {
            return bytes;
        }

        /** Where the next piece goes in {@link #array()}. */
        int position() {
            return offset + written;
        }

        /** Bytes still to come. */
        int remaining() {
            return length - written;
        }

        /** {@code count} more bytes were written at {@link #position()}. */
        void wrote(int count) {
            if (count < 0 || count > remaining()) {
                throw new IllegalArgumentException("wrote " + count + " bytes with " + remaining() + " left in chunk " + index);
            }
            digest.update(bytes, position(), count);
            written += count;
        }

        /** Stores the chunk if every byte came and they match its digest; otherwise it stays missing. */
        Receipt close() {
            if (written != length || !MessageDigest.isEqual(digest.digest(), manifest.getChunkSha256(index).toByteArray())) {
                return Receipt.CORRUPTED;
            }
            received[index] = true;
            missing--;
            return Receipt.STORED;
        }
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
     * The assembled bytes, every chunk checked against its digest.
     *
     * @throws IllegalStateException if chunks are missing
     */
    public byte[] bytes() {
        if (!complete()) {
            throw new IllegalStateException(missing + " chunks of version " + manifest.getVersion() + " are missing");
        }
        return bytes;
    }
}
