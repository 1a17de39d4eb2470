package emend.weights;

import com.google.protobuf.CodedInputStream;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
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

    /** A chunk's fields besides its data (version, index, the data's tag and length) take fewer bytes than this. */
    private static final int MAX_HEADER_BYTES = 64;

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
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            // one frame buffer for every chunk: a chunk is read into it, checked and copied into the assembly
            byte[] frame = new byte[assembly.manifest().getChunkBytes() + MAX_HEADER_BYTES];
            while (!assembly.complete()) {
                WeightChunk chunk = readChunk(in, frame);
                if (chunk == null) {
                    // the learner sends every chunk once: those that did not match are still missing
                    return new Result(Ending.INCOMPLETE, corrupted, corrupted > 0
                            ? corrupted + " chunks did not match their SHA-256 in the manifest"
                            : "the learner closed the stream before the last chunk");
                }
                if (chunk.getGone()) {
                    return new Result(Ending.GONE, corrupted, "");
                }
                if (assembly.accept(chunk) == WeightAssembly.Receipt.CORRUPTED) {
                    corrupted++;
                }
            }
            return new Result(Ending.COMPLETE, corrupted, "");
        } catch (IOException e) {
            return new Result(Ending.INCOMPLETE, corrupted, e.toString());
        }
    }

    /**
     * The next length-delimited chunk, or null at the end of the stream. The frame is read into {@code frame} and
     * parsed as a view of it: valid until the next call.
     *
     * @throws IOException for a frame larger than a chunk can be, or one cut off
     */
    private static WeightChunk readChunk(DataInputStream in, byte[] frame) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int size = CodedInputStream.readRawVarint32(first, in);
        if (size < 0 || size > frame.length) {
            throw new IOException("a weight stream frame of " + size + " bytes, more than a chunk and its header can take (" + frame.length + ")");
        }
        in.readFully(frame, 0, size);
        CodedInputStream input = CodedInputStream.newInstance(frame, 0, size);
        input.enableAliasing(true);
        return WeightChunk.parseFrom(input);
    }

    private static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("weight stream address '" + address + "' is not host:port");
        }
        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
}
