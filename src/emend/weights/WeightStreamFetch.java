package emend.weights;

import com.google.protobuf.CodedInputStream;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * A worker's side of the weight stream ({@link WeightStreamServer}): reads the version asked for into its
 * {@link WeightAssembly}, then follows the stream: each version the learner pushes later (its manifest, then its
 * chunks) goes into a fresh assembly. Every chunk is checked against its digest as it arrives, and each whole version
 * is handed to the {@link Listener}. It never throws: a stream that fails leaves the assembly it was filling with what
 * arrived intact, and the caller fetches the rest another way.
 */
public final class WeightStreamFetch implements AutoCloseable {

    /** How a followed stream ended (it never ends on its own while the learner runs). */
    public enum Ending {
        /** No connection could be made (a firewall, an address this node cannot route to); see the problem. */
        UNREACHABLE,
        /** The stream broke off, was closed, or a version's chunks did not all match; the problem says which. */
        INCOMPLETE
    }

    /** @param problem what went wrong, for the worker's log */
    public record Result(Ending ending, int corruptedChunks, String problem) {}

    /** What the stream brings, told from the thread that reads it. */
    public interface Listener {
        /** A version the learner pushed is coming: its manifest passed the assembly's checks, its chunks fill {@code assembly}. */
        void started(WeightAssembly assembly);

        /** Every chunk of {@code assembly} is in and matched its digest. */
        void delivered(WeightAssembly assembly);
    }

    /**
     * A chunk's fields besides its data (version, index, gone, the data's tag and length) take fewer bytes than this.
     */
    private static final int MAX_HEADER_BYTES = 64;
    /** A manifest also travels as one Artery message, whose frames are 2 MiB at most. */
    private static final int MAX_MANIFEST_BYTES = 2 << 20;
    /** A frame larger than a chunk or a manifest and its header (a future field, say) is refused. */
    private static final int MAX_FRAME_BYTES = Math.max(WeightPublication.MAX_CHUNK_BYTES, MAX_MANIFEST_BYTES) + MAX_HEADER_BYTES;
    /** Bytes read (and hashed) at a time: the size a plain socket copy reads in, small enough to stay in the cache. */
    private static final int PIECE_BYTES = 1 << 16;

    private final String address;
    private final int timeoutMillis;
    private final SocketFactory sockets;
    private Socket socket;
    private boolean closed;
    private int corrupted;

    /**
     * @param address the learner's stream, {@code host:port}
     * @param timeout for connecting, and for each read while a version comes (a learner that stops sending); between
     *     versions the stream waits as long as the learner's step takes
     * @param sockets plain, or TLS ones in a TLS cluster, which present this node's certificate and accept only a learner
     *     the cluster's CA signed
     */
    public WeightStreamFetch(String address, Duration timeout, SocketFactory sockets) {
        this.address = address;
        this.timeoutMillis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        this.sockets = sockets;
    }

    /** Ends the stream from any thread: {@link #follow} returns soon after. */
    @Override
    public void close() {
        Socket open;
        synchronized (this) {
            closed = true;
            open = socket;
        }
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // closed either way: the reader sees the end
            }
        }
    }

    /**
     * Reads the chunks {@code first} still misses, then every version the learner pushes after it, until the stream
     * ends or {@link #close()} ends it (blocking).
     */
    public Result follow(WeightAssembly first, Listener listener) {
        try (Socket connection = sockets.createSocket()) {
            synchronized (this) {
                if (closed) {
                    return new Result(Ending.INCOMPLETE, 0, "closed");
                }
                socket = connection;
            }
            try {
                connection.connect(parse(address), timeoutMillis);
                if (connection instanceof SSLSocket tls) {
                    // a failed handshake is a stream this worker cannot use: it fetches over Artery instead
                    connection.setSoTimeout(timeoutMillis);
                    tls.startHandshake();
                }
            } catch (IOException | IllegalArgumentException e) {
                return new Result(Ending.UNREACHABLE, 0, e.toString());
            }
            connection.setSoTimeout(timeoutMillis);
            connection.setTcpNoDelay(true);
            int from = first.complete() ? first.manifest().getChunkCount() : first.nextMissing(0);
            OutputStream out = connection.getOutputStream();
            WeightChunkRequest.newBuilder().setVersion(first.manifest().getVersion()).setIndex(from).setFollow(true).build().writeDelimitedTo(out);
            out.flush();
            InputStream in = new BufferedInputStream(connection.getInputStream(), PIECE_BYTES);
            boolean cutShort = version(in, first, first.manifest().getChunkCount() - from, listener);
            while (true) {
                // between versions the next one comes when the learner has stepped, however long that takes; after a
                // version cut short for a newer one, the newer one follows at once
                connection.setSoTimeout(cutShort ? timeoutMillis : 0);
                FrameRead next = new Frame(in).read(null);
                connection.setSoTimeout(timeoutMillis);
                if (next.manifest() == null) {
                    throw new Refused("the weight stream sent a chunk of version " + next.version() + " where a version's manifest was due");
                }
                WeightAssembly assembly = pushed(first.manifest(), next.manifest());
                listener.started(assembly);
                cutShort = version(in, assembly, assembly.manifest().getChunkCount(), listener);
            }
        } catch (EndOfStream end) {
            return new Result(Ending.INCOMPLETE, corrupted, "the learner closed the weight stream");
        } catch (Refused refused) {
            return new Result(Ending.INCOMPLETE, corrupted, refused.getMessage());
        } catch (IOException e) {
            return new Result(Ending.INCOMPLETE, corrupted, e.toString());
        }
    }

    /**
     * The assembly of a pushed version of the model {@code first} (which the cluster's edge checked) is of.
     *
     * @throws Refused when it has another size, chunking, encoding or model config (checked before its bytes are set
     *     aside), or its digests do not hold together
     */
    private static WeightAssembly pushed(WeightManifest first, WeightManifest pushed) throws Refused {
        if (pushed.getByteSize() == first.getByteSize() && pushed.getChunkBytes() == first.getChunkBytes()
                && pushed.getChunkCount() == first.getChunkCount() && pushed.getEncoding().equals(first.getEncoding())
                && pushed.getModelConfigJson().equals(first.getModelConfigJson())) {
            try {
                return new WeightAssembly(pushed);
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
        }
        throw new Refused("the weight stream pushed version " + pushed.getVersion() + " as " + pushed.getByteSize() + " bytes in " + pushed.getChunkCount()
                + " chunks of " + pushed.getChunkBytes() + " (" + pushed.getEncoding() + "), unlike version " + first.getVersion() + "'s "
                + first.getByteSize() + " bytes in " + first.getChunkCount() + " chunks of " + first.getChunkBytes() + " (" + first.getEncoding()
                + ") or with another model config");
    }

    /**
     * Reads up to {@code frames} chunks of {@code assembly}'s version, handing it over when whole.
     *
     * @return whether the learner cut the version short for a newer one (which it sends next without waiting)
     * @throws Refused when chunks did not match (the learner sends each once, so the stream cannot go on)
     */
    private boolean version(InputStream in, WeightAssembly assembly, int frames, Listener listener) throws IOException {
        long version = assembly.manifest().getVersion();
        int corruptedHere = 0;
        while (!assembly.complete()) {
            if (frames == 0) {
                throw new Refused(corruptedHere + " chunks of version " + version + " did not match their SHA-256 in the manifest");
            }
            FrameRead frame = new Frame(in).read(assembly);
            if (frame.gone() && frame.version() == version) {
                return true;
            }
            if (frame.manifest() != null) {
                throw new IOException("the weight stream sent the manifest of version " + frame.version() + " inside version " + version);
            }
            if (frame.receipt() == WeightAssembly.Receipt.CORRUPTED) {
                corrupted++;
                corruptedHere++;
            }
            if (frame.version() == version) {
                frames--;
            }
        }
        listener.delivered(assembly);
        return false;
    }

    /** What one frame was: a chunk (its receipt), a "gone" answer, or a pushed version's manifest. */
    private record FrameRead(long version, WeightAssembly.Receipt receipt, boolean gone, WeightManifest manifest) {}

    /** The stream sent what cannot be used (its message says what), and cannot go on. */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message, null);
        }
    }

    /** The stream ended cleanly between two frames. */
    private static final class EndOfStream extends IOException {
        EndOfStream() {
            super("end of the weight stream", null);
        }
    }

    /**
     * One length-delimited {@link WeightChunk} read field by field, so that its data goes from the socket straight
     * to its place in the assembly in pieces, each hashed while it is in the cache (one copy, as a plain socket read
     * has), instead of into a frame, then a message, then the assembly. The learner writes the fields in number
     * order, so version and index (omitted when 0) are known when the data comes; a frame that puts them after its
     * data, or has two data fields, is refused as malformed.
     */
    private static final class Frame {
        private final InputStream in;
        private int remaining;

        Frame(InputStream in) {
            this.in = in;
        }

        /**
         * @param assembly where a chunk's data goes (null between versions: skipped)
         * @throws EndOfStream at a clean end between frames
         */
        FrameRead read(WeightAssembly assembly) throws IOException {
            int first = in.read();
            if (first < 0) {
                throw new EndOfStream();
            }
            int size = CodedInputStream.readRawVarint32(first, in);
            if (size < 0 || size > MAX_FRAME_BYTES) {
                throw new IOException("a weight stream frame of " + size + " bytes, more than a chunk or a manifest and its header can take ("
                        + MAX_FRAME_BYTES + ")");
            }
            remaining = size;
            long version = 0;
            int index = 0;
            boolean gone = false;
            WeightManifest manifest = null;
            WeightAssembly.Receipt receipt = null;
            while (remaining > 0) {
                long tag = varint();
                int field = (int) (tag >>> 3);
                int wireType = (int) (tag & 7);
                if (receipt != null && (field == WeightChunk.VERSION_FIELD_NUMBER || field == WeightChunk.INDEX_FIELD_NUMBER
                        || field == WeightChunk.DATA_FIELD_NUMBER)) {
                    throw new IOException("a weight stream frame with its version, index or a second data field after its data");
                }
                if (field == WeightChunk.VERSION_FIELD_NUMBER && wireType == 0) {
                    version = varint();
                } else if (field == WeightChunk.INDEX_FIELD_NUMBER && wireType == 0) {
                    index = (int) varint();
                } else if (field == WeightChunk.GONE_FIELD_NUMBER && wireType == 0) {
                    gone = varint() != 0;
                } else if (field == WeightChunk.DATA_FIELD_NUMBER && wireType == 2) {
                    // a "gone" answer's data, if it had any, is of a version no longer served
                    receipt = gone ? skipData(length()) : data(assembly, version, index, length());
                } else if (field == WeightChunk.MANIFEST_FIELD_NUMBER && wireType == 2) {
                    manifest = manifest(length());
                } else {
                    skipField(wireType);
                }
            }
            if (gone || manifest != null) {
                return new FrameRead(version, receipt, gone, manifest);
            }
            return new FrameRead(version, receipt != null ? receipt : data(assembly, version, index, 0), false, null);
        }

        private WeightManifest manifest(int length) throws IOException {
            byte[] encoded = in.readNBytes(length);
            remaining -= encoded.length;
            if (encoded.length < length) {
                throw new EOFException("the weight stream ended inside a manifest");
            }
            return WeightManifest.parseFrom(encoded);
        }

        private WeightAssembly.Receipt data(WeightAssembly assembly, long version, int index, int length) throws IOException {
            WeightAssembly.Slot slot = assembly == null ? null : assembly.open(version, index, length);
            if (slot == null) {
                return skipData(length);
            }
            while (slot.remaining() > 0) {
                int n = in.read(slot.array(), slot.position(), Math.min(slot.remaining(), PIECE_BYTES));
                if (n < 0) {
                    throw new EOFException("the weight stream ended inside chunk " + index);
                }
                remaining -= n;
                slot.wrote(n);
            }
            return slot.close();
        }

        private WeightAssembly.Receipt skipData(int length) throws IOException {
            skip(length);
            return WeightAssembly.Receipt.IGNORED;
        }

        private void skipField(int wireType) throws IOException {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> skip(8);
                case 2 -> skip(length());
                case 5 -> skip(4);
                default -> throw new IOException("a weight stream frame with wire type " + wireType + ", which a chunk never has");
            }
        }

        /** A length prefix, within what is left of the frame. */
        private int length() throws IOException {
            long length = varint();
            if (length < 0 || length > remaining) {
                throw new IOException("a weight stream field of " + length + " bytes in a frame with " + remaining + " left");
            }
            return (int) length;
        }

        private long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("a malformed varint in a weight stream frame");
        }

        private int next() throws IOException {
            if (remaining <= 0) {
                throw new IOException("a weight stream field runs past the end of its frame");
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the weight stream ended inside a frame");
            }
            remaining--;
            return b;
        }

        private void skip(int count) throws IOException {
            if (count > remaining) {
                throw new IOException("a weight stream field runs past the end of its frame");
            }
            in.skipNBytes(count);
            remaining -= count;
        }
    }

    private static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("weight stream address '" + address + "' is not host:port");
        }
        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
}
