package emend.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the program in a model's completion, fenced or not, and puts it together with the problem's prompt.
 *
 * <p>The program is everything the completion wrote as code, so the verifier scores the program written, not a
 * part of it. Fenced: every Python (or unlabelled) block, in order, joined by a blank line, except that the last
 * block defining the entry point goes last, so its definition wins over any earlier one; an unclosed fence runs to
 * the end. Not fenced: from the first line that reads as code (a statement, assignment, call, decorator or
 * comment; or the whole text, when it starts indented: a function body continuing the prompt) up to the first
 * line of prose after it.
 */
public final class CodeExtractor {

    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n(.*?)(?:\\n[ \\t]*```|\\z)", Pattern.DOTALL);
    /** A top-level line that starts Python code: a keyword, decorator, comment, assignment, call or closing bracket. */
    private static final Pattern CODE_LINE = Pattern.compile("^(?:(?:def|class|import|from|if|elif|else|for|while|try|except|finally|with|"
            + "return|assert|async|await|raise|pass|global|nonlocal|lambda|print|del|yield|break|continue)\\b|@|#|[)\\]}]|\"\"\"|'''|"
            + "[A-Za-z_][\\w.]*\\s*(?:\\[[^\\]]*\\]\\s*)?(?:[-+*/%&|^]|//|\\*\\*)?=[^=]|[A-Za-z_][\\w.]*\\s*\\()");
    private static final Set<String> PYTHON_LABELS = Set.of("", "python", "py", "python3");

    private CodeExtractor() {}

    /** The program text in {@code completion}, or empty when there is none. */
    public static String extract(String completion, String entryPoint) {
        String text = completion.replace("\r\n", "\n");
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(text);
        while (m.find()) {
            if (PYTHON_LABELS.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                blocks.add(m.group(2));
            }
        }
        if (blocks.isEmpty()) {
            return unfenced(text).stripTrailing();
        }
        int entryBlock = -1;
        for (int i = 0; i < blocks.size(); i++) {
            entryBlock = entryPoint != null && defines(blocks.get(i), entryPoint) ? i : entryBlock;
        }
        if (entryBlock >= 0) {
            blocks.add(blocks.remove(entryBlock));
        }
        return String.join("\n\n", blocks.stream().map(String::stripTrailing).toList()).stripTrailing();
    }

    /**
     * The program to run: the completion's code after the prompt when the prompt is a Python stub (the code
     * either continues the stub's body or redefines the function, and the stub's imports stay in force); the
     * code alone when the prompt is prose. Empty when the completion holds no code.
     */
    public static String program(String prompt, String entryPoint, String completion) {
        String code = extract(completion, entryPoint);
        if (code.isBlank()) {
            return "";
        }
        if (!defines(prompt, entryPoint)) {
            return code + "\n";
        }
        String stub = prompt.endsWith("\n") ? prompt : prompt + "\n";
        return defines(code, entryPoint) ? stub + "\n" + code + "\n" : stub + code + "\n";
    }

    /**
     * The code in a canonical form, so that two attempts "say the same" when they differ only in layout: line
     * endings, tabs, trailing spaces, blank lines and whole-line comments.
     */
    public static String normalize(String code) {
        StringBuilder out = new StringBuilder();
        for (String line : code.replace("\r\n", "\n").replace("\t", "    ").split("\n")) {
            String trimmed = line.stripTrailing();
            if (trimmed.isBlank() || trimmed.strip().startsWith("#")) {
                continue;
            }
            out.append(trimmed).append('\n');
        }
        return out.toString();
    }

    static boolean defines(String code, String entryPoint) {
        return Pattern.compile("(?m)^\\s*(?:async\\s+)?def\\s+" + Pattern.quote(entryPoint) + "\\s*\\(").matcher(code).find();
    }

    private static String unfenced(String text) {
        List<String> lines = List.of(text.split("\n", -1));
        int start = 0;
        while (start < lines.size() && lines.get(start).isBlank()) {
            start++;
        }
        if (start == lines.size()) {
            return "";
        }
        boolean body = Character.isWhitespace(lines.get(start).charAt(0));
        if (!body) {
            while (start < lines.size() && !CODE_LINE.matcher(lines.get(start)).find()) {
                start++;
            }
        }
        int end = start;
        while (end < lines.size()) {
            String line = lines.get(end);
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && !CODE_LINE.matcher(line).find()) {
                break;
            }
            end++;
        }
        return String.join("\n", lines.subList(start, end));
    }
}
