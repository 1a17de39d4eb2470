package emend.control;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** The two body encodings of the control endpoint: binary protobuf, and its JSON form for curl and people. */
public enum ControlEncoding {
    PROTOBUF("application/x-protobuf"),
    JSON("application/json");

    // Zero counters and empty strings are printed too: a status that omits "steps_done" reads as a missing field.
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

    private final String mediaType;

    ControlEncoding(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The encoding a Content-Type header names (parameters such as charset ignored); empty when neither. */
    static Optional<ControlEncoding> ofContentType(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String type = header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (ControlEncoding e : values()) {
            if (e.mediaType.equals(type)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    ControlRequest parseRequest(byte[] body) throws InvalidProtocolBufferException {
        if (this == PROTOBUF) {
            return ControlRequest.parseFrom(body);
        }
        ControlRequest.Builder request = ControlRequest.newBuilder();
        JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), request);
        return request.build();
    }

    byte[] encode(ControlReply reply) {
        return this == PROTOBUF ? reply.toByteArray() : (json(reply) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The reply as JSON, as the endpoint sends it and {@code emend ctl --json} prints it. */
    public static String json(ControlReply reply) {
        try {
            return PRINTER.print(reply);
        } catch (InvalidProtocolBufferException e) {
            // only Any fields with unknown types fail to print, and ControlReply has none
            throw new IllegalStateException(e);
        }
    }
}
