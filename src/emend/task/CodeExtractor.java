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
 * <p>Fenced: the last Python (or unlabelled) block that defines the entry point, else the last that defines any
 * function, else the last block; an unclosed fence runs to the end. Not fenced: from the first line that reads
 * as code (or the whole text, when it starts indented: a function body continuing the prompt) up to the first
 * line of prose after it.
 */
public final class CodeExtractor {

    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n(.*?)(?:\\n[ \\t]*```|\\z)", Pattern.DOTALL);
    /** A top-level line that starts Python code: a keyword, decorator, comment, assignment, call or closing bracket. */
    private static final Pattern CODE_LINE = Pattern.compile("^(?:(?:def|class|import|from|if|elif|else|for|while|try|except|finally|with|"
            + "return|assert|async|await|raise|pass|global|nonlocal|lambda|print|del|yield|break|continue)\\b|@|#|[)\\]}]|\"\"\"|'''|"
            + "[A-Za-z_][\\w.]*\\s*(?:\\[[^\\]]*\\]\\s*)?(?:[-+*/%&|^]|//|\\*\\*)?=[^=]|[A-Za-z_][\\w.]*\\s*\\()");
    private static final Set<String> PYTHON_LABELS = Set.of("", "python", "py", "python3");
    private static final Pattern STARTS_CODE = Pattern.compile("^(?:def|class|import|from|async\\s+def)\\b|^@");

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
        String chosen = blocks.get(blocks.size() - 1);
        String definesAny = null;
        String definesEntry = null;
        for (String block : blocks) {
            definesAny = block.contains("def ") ? block : definesAny;
            definesEntry = entryPoint != null && defines(block, entryPoint) ? block : definesEntry;
        }
        return (definesEntry != null ? definesEntry : definesAny != null ? definesAny : chosen).stripTrailing();
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
            while (start < lines.size() && !STARTS_CODE.matcher(lines.get(start)).find()) {
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
