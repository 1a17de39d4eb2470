package emend.task;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The problems a node loaded itself, by id, and their identity: the SHA-256 of every split in order. A verifier
 * scores against these and nothing else, so a request over the wire only names a problem (id and set digest);
 * its reference, for the code task a program of tests, never comes from the message.
 */
public final class ProblemSet {

    private final Map<String, Problem> byId = new LinkedHashMap<>();
    private final String sha256;

    private ProblemSet(List<Problem> problems) {
        MessageDigest sha = newSha256();
        for (Problem p : problems) {
            byId.putIfAbsent(p.id(), p);
            // length-prefixed fields: no two different sets share a byte stream
            for (String field : new String[] {p.id(), p.question(), p.answer()}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
                sha.update(bytes);
            }
        }
        this.sha256 = HexFormat.of().formatHex(sha.digest());
    }

    /** Train, dev and test of {@code task}, in that order. */
    public static ProblemSet of(Task task) {
        return new ProblemSet(Stream.of(task.train(), task.dev(), task.test()).flatMap(List::stream).toList());
    }

    /** Lower-case hex SHA-256 of the problems (ids, questions, references), in split order. */
    public String sha256() {
        return sha256;
    }

    /** What a request naming a problem resolves to: the node's own problem, or why there is none. */
    public sealed interface Lookup {}

    public record Found(Problem problem) implements Lookup {}

    /** @param reason a stable label for counting; {@code detail} says what to do */
    public record Refused(String reason, String detail) implements Lookup {}

    /** The problem {@code problemId} of the set {@code setSha256}, if that set is this one and holds it. */
    public Lookup find(String problemId, String setSha256) {
        if (!sha256.equals(setSha256)) {
            return new Refused("problem_set", "the request names problem set " + abbreviate(setSha256) + " but this node loaded "
                    + abbreviate(sha256) + ": start every node with the learner's task settings");
        }
        Problem problem = byId.get(problemId);
        if (problem == null) {
            return new Refused("problem_id", "problem '" + abbreviate(problemId) + "' is not in this node's problem set");
        }
        return new Found(problem);
    }

    private static String abbreviate(String text) {
        if (text.isEmpty()) {
            return "(none)";
        }
        String head = text.length() <= 16 ? text : text.substring(0, 16) + "...";
        // the text may come from the wire: no control characters in the log line it ends up in
        return head.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
