package emend.wire;

import java.util.Optional;

/** The check of a request that needs nothing but somewhere to answer (a status query, a drain). */
public final class Replies {

    private Replies() {}

    /** A rejection when {@code replyTo} is missing: the request arrived without a reply address. */
    public static Optional<Rejection> missing(String type, Object replyTo) {
        return replyTo == null ? Optional.of(new Rejection(type, "reply_to", "a request without a reply address")) : Optional.empty();
    }
}
