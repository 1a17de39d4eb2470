package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JsonlTaskTest {

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.write(dir.resolve("problems.jsonl"), java.util.List.of(lines));
    }

    @Test
    void read_parsesProblems_andSkipsBlankLines() throws IOException {
        Path file = write("{\"id\": \"a\", \"question\": \"1+1?\", \"answer\": 2}", "", "{\"id\": \"b\", \"question\": \"capital of France?\", \"answer\": \"Paris\"}");
        var problems = JsonlTask.read(file);
        assertEquals(2, problems.size());
        assertEquals(new Problem("a", "1+1?", "2"), problems.get(0));
    }

    @Test
    void badLines_areNamedWithTheirLineNumberAndProblem() throws IOException {
        assertMessage(write("{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}", "{not json"), "line 2", "not valid JSON");
        assertMessage(write("{\"id\": \"a\", \"question\": \"q\"}"), "line 1", "missing field \"answer\"");
        assertMessage(write("[1, 2]"), "line 1", "expected a JSON object");
        assertMessage(write("{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}", "{\"id\": \"a\", \"question\": \"r\", \"answer\": \"2\"}"),
                "line 2", "appears twice");
        assertMessage(write("{\"id\": \"a\", \"question\": \" \", \"answer\": \"1\"}"), "line 1", "\"question\" is empty");
        assertMessage(dir.resolve("absent.jsonl"), "absent.jsonl", "does not exist");
    }

    private static void assertMessage(Path file, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonlTask.read(file));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    @Test
    void split_isDisjointAndComplete() throws IOException {
        String[] lines = new String[50];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "{\"id\": \"p" + i + "\", \"question\": \"" + i + "+1?\", \"answer\": \"" + (i + 1) + "\"}";
        }
        JsonlTask task = JsonlTask.split(write(lines), 3);
        assertEquals(10, task.test().size());
        assertEquals(5, task.dev().size());
        assertEquals(35, task.train().size());
        Set<String> ids = new HashSet<>();
        task.train().forEach(p -> ids.add(p.id()));
        task.dev().forEach(p -> ids.add(p.id()));
        task.test().forEach(p -> ids.add(p.id()));
        assertEquals(50, ids.size());
        Problem p = task.test().get(0);
        assertEquals(1, task.verifier().score(p, task.correctAttempt(p)));
        assertEquals(0, task.verifier().score(p, task.plausibleWrongAttempt(p, new java.util.SplittableRandom(1))));
    }

    @Test
    void finalAnswerVerifier_normalisesNumbersAndText() {
        Verifier v = new FinalAnswerVerifier();
        assertEquals(1, v.score(new Problem("a", "q", "3.5"), "so the answer: 3.50"));
        assertEquals(1, v.score(new Problem("a", "q", "1200"), "Answer: 1,200."));
        assertEquals(1, v.score(new Problem("a", "q", "7"), "thus \\boxed{7} and answer: 8 was wrong"));
        assertEquals(1, v.score(new Problem("a", "q", "New  York"), "answer:  new york "));
        assertEquals(0, v.score(new Problem("a", "q", "7"), "answer: 71"));
        assertEquals(0, v.score(new Problem("a", "q", "7"), ""));
    }

    @Test
    void answerNormalizer_canonicalisesNumbers() {
        assertEquals("3.5", AnswerNormalizer.normalize(" +3.50 "));
        assertEquals("100", AnswerNormalizer.normalize("100.0"));
        assertEquals("0", AnswerNormalizer.normalize("-0.0"));
        assertEquals("-12", AnswerNormalizer.normalize("-12"));
        assertEquals("hello world", AnswerNormalizer.normalize(" Hello \t World "));
    }
}
