package emend.control;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The request line and headers of one HTTP/1.1 request, read with a size cap so a client cannot fill the heap
 * before it has been authenticated.
 *
 * @param headers names in lower case; a repeated header keeps its first value
 */
record HttpHead(String method, String path, Map<String, String> headers) {

    /** Larger than any request ctl, curl or a load balancer sends to this endpoint. */
    static final int MAX_BYTES = 16 * 1024;

    /** A request that is not HTTP/1.x or too large; the message says which. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Reads up to and including the empty line that ends the head; the body stays in {@code in}. */
    static HttpHead read(InputStream in) throws IOException {
        String requestLine = line(in, new int[] {MAX_BYTES});
        int[] left = {MAX_BYTES - requestLine.length()};
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new Malformed("not an HTTP/1.x request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in, left); !header.isEmpty(); header = line(in, left)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new Malformed("a header without a name");
            }
            headers.putIfAbsent(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        String target = parts[1];
        int query = target.indexOf('?');
        return new HttpHead(parts[0], query < 0 ? target : target.substring(0, query), headers);
    }

    /** One CRLF- (or LF-) terminated line in ISO-8859-1, counted against {@code left[0]}. */
    private static String line(InputStream in, int[] left) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new Malformed("the connection ended inside the request head");
            }
            if (--left[0] < 0) {
                throw new Malformed("the request head is over " + MAX_BYTES + " bytes");
            }
            if (b == '\n') {
                int end = line.length();
                return (end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString());
            }
            line.append((char) b);
        }
    }
}
