package emend.weights;

import com.google.protobuf.CodedInputStream;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
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
 * A worker's side of the weight stream ({@link WeightStreamServer}): reads the chunks of one manifest into its
 * {@link WeightAssembly}, each checked against its digest as it arrives. It never throws: a stream that fails
 * leaves the assembly with what arrived intact, and the caller fetches the rest another way.
 */
public final class WeightStreamFetch {

    /** How a stream ended. */
    public enum Ending {
        /** Every chunk is in and matched its digest. */
        COMPLETE,
        /** The learner holds a newer version: start over with the newest manifest. */
        GONE,
        /** No connection could be made (a firewall, an address this node cannot route to); see the problem. */
        UNREACHABLE,
        /** The stream broke off or chunks did not match; {@link Result#problem()} says what happened. */
        INCOMPLETE
    }

    /** @param problem what went wrong, for the worker's log; empty unless UNREACHABLE or INCOMPLETE */
    public record Result(Ending ending, int corruptedChunks, String problem) {}

    /**
     * A chunk's fields besides its data (version, index, gone, the data's tag and length) take fewer bytes than this;
     * a frame larger than a chunk and this much (a future field, say) is refused.
     */
    private static final int MAX_HEADER_BYTES = 64;
    /** Bytes read (and hashed) at a time: the size a plain socket copy reads in, small enough to stay in the cache. */
    private static final int PIECE_BYTES = 1 << 16;

    private WeightStreamFetch() {}

    /**
     * Fetches every chunk {@code assembly} still misses from {@code address} ({@code host:port}).
     *
     * @param timeout for connecting and for each read (a learner that stops sending)
     */
    public static Result fetch(String address, WeightAssembly assembly, Duration timeout) {
        return fetch(address, assembly, timeout, SocketFactory.getDefault());
    }

    /**
     * As {@link #fetch(String, WeightAssembly, Duration)} through {@code sockets}: TLS ones in a TLS cluster, which
     * present this node's certificate and accept only a learner the cluster's CA signed.
     */
    public static Result fetch(String address, WeightAssembly assembly, Duration timeout, SocketFactory sockets) {
        int first = assembly.nextMissing(0);
        if (first < 0) {
            return new Result(Ending.COMPLETE, 0, "");
        }
        int corrupted = 0;
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        try (Socket socket = sockets.createSocket()) {
            try {
                socket.connect(parse(address), millis);
                if (socket instanceof SSLSocket tls) {
                    // a failed handshake is a stream this worker cannot use: it fetches over Artery instead
                    socket.setSoTimeout(millis);
                    tls.startHandshake();
                }
            } catch (IOException | IllegalArgumentException e) {
                return new Result(Ending.UNREACHABLE, 0, e.toString());
            }
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            WeightChunkRequest.newBuilder().setVersion(assembly.manifest().getVersion()).setIndex(first).build().writeDelimitedTo(out);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), PIECE_BYTES);
            int largestFrame = assembly.manifest().getChunkBytes() + MAX_HEADER_BYTES;
            while (!assembly.complete()) {
                WeightAssembly.Receipt receipt;
                try {
                    receipt = new Frame(in, largestFrame).read(assembly);
                } catch (EndOfStream end) {
                    // the learner sends every chunk once: those that did not match are still missing
                    return new Result(Ending.INCOMPLETE, corrupted, corrupted > 0
                            ? corrupted + " chunks did not match their SHA-256 in the manifest"
                            : "the learner closed the stream before the last chunk");
                } catch (Gone gone) {
                    return new Result(Ending.GONE, corrupted, "");
                }
                if (receipt == WeightAssembly.Receipt.CORRUPTED) {
                    corrupted++;
                }
            }
            return new Result(Ending.COMPLETE, corrupted, "");
        } catch (IOException e) {
            return new Result(Ending.INCOMPLETE, corrupted, e.toString());
        }
    }

    /** The stream ended cleanly between two frames. */
    private static final class EndOfStream extends IOException {
        EndOfStream() {
            super("end of the weight stream", null);
        }
    }

    /** The learner no longer holds the version asked for. */
    private static final class Gone extends IOException {
        Gone() {
            super("version gone", null);
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
        private final int largest;
        private int remaining;

        Frame(InputStream in, int largest) {
            this.in = in;
            this.largest = largest;
        }

        /** @throws EndOfStream at a clean end between frames; @throws Gone for a "gone" answer */
        WeightAssembly.Receipt read(WeightAssembly assembly) throws IOException {
            int first = in.read();
            if (first < 0) {
                throw new EndOfStream();
            }
            int size = CodedInputStream.readRawVarint32(first, in);
            if (size < 0 || size > largest) {
                throw new IOException("a weight stream frame of " + size + " bytes, more than a chunk and its header can take (" + largest + ")");
            }
            remaining = size;
            long version = 0;
            int index = 0;
            boolean gone = false;
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
                } else {
                    skipField(wireType);
                }
            }
            if (gone) {
                throw new Gone();
            }
            return receipt != null ? receipt : data(assembly, version, index, 0);
        }

        private WeightAssembly.Receipt data(WeightAssembly assembly, long version, int index, int length) throws IOException {
            WeightAssembly.Slot slot = assembly.open(version, index, length);
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
