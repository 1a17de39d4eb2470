package emend.model;

/**
 * Token rows laid out as shared prefixes and their continuations, for scoring without running a shared prefix once
 * per row: U right-padded prefixes of width P, and R right-padded continuations of width C, continuation r
 * extending prefix {@code prefixOf[r]} from that prefix's last token. The row continuation r stands for is
 * {@code prefix[0 .. prefixLength - 1) + continuation}: its first token is the prefix's last, run again so the
 * continuation's first target (its second token) is predicted inside the continuation's own pass.
 *
 * @param prefixTokens U x P ids, row-major, padded after each prefix's {@code prefixLengths[u]} tokens
 * @param prefixTemperatures per prefix, the temperature its tokens are scored at
 * @param continuationTokens R x C ids, row-major, right-padded
 * @param prefixOf per continuation, the prefix it extends
 * @param continuationTemperatures per continuation, the temperature its tokens are scored at
 */
public record PrefixedRows(int[] prefixTokens, int prefixWidth, int[] prefixLengths, float[] prefixTemperatures,
                           int[] continuationTokens, int continuationWidth, int[] prefixOf, float[] continuationTemperatures) {

    public PrefixedRows {
        int prefixes = prefixLengths.length;
        int continuations = prefixOf.length;
        if (prefixes == 0 || prefixWidth < 2 || prefixTokens.length != prefixes * prefixWidth || prefixTemperatures.length != prefixes) {
            throw new IllegalArgumentException("need at least one prefix of width >= 2 with one temperature each: " + prefixes
                    + " prefixes, width " + prefixWidth + ", " + prefixTokens.length + " tokens, " + prefixTemperatures.length + " temperatures");
        }
        if (continuationTokens.length != continuations * continuationWidth || continuationTemperatures.length != continuations
                || (continuations > 0 && continuationWidth < 2)) {
            throw new IllegalArgumentException(continuations + " continuations of width " + continuationWidth + " need as many "
                    + "temperatures and width x count tokens; got " + continuationTemperatures.length + " and " + continuationTokens.length);
        }
        for (int length : prefixLengths) {
            if (length < 1 || length > prefixWidth) {
                throw new IllegalArgumentException("a prefix length must be in [1, " + prefixWidth + "], got " + length);
            }
        }
        for (int p : prefixOf) {
            if (p < 0 || p >= prefixes) {
                throw new IllegalArgumentException("a continuation extends prefix " + p + " of " + prefixes);
            }
        }
    }

    public int prefixes() {
        return prefixLengths.length;
    }

    public int continuations() {
        return prefixOf.length;
    }

    /** Scored targets: each prefix's P - 1, then each continuation's C - 1 (the layout of the scorer's result). */
    public int targets() {
        return prefixes() * (prefixWidth - 1) + continuations() * (continuationWidth - 1);
    }
}
