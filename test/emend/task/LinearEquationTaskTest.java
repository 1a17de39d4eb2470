package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class LinearEquationTaskTest {

    private final LinearEquationTask task = new LinearEquationTask(LinearEquationTask.Settings.defaults(1));

    @Test
    void splits_areDisjoint_andCoverEveryProblem() {
        Set<String> train = task.train().stream().map(Problem::id).collect(Collectors.toSet());
        Set<String> dev = task.dev().stream().map(Problem::id).collect(Collectors.toSet());
        Set<String> test = task.test().stream().map(Problem::id).collect(Collectors.toSet());
        assertEquals(500, test.size());
        assertEquals(300, dev.size());
        assertTrue(train.stream().noneMatch(id -> dev.contains(id) || test.contains(id)));
        assertTrue(dev.stream().noneMatch(test::contains));
        assertEquals(8 * 21 * 41, train.size() + dev.size() + test.size());
    }

    @Test
    void splits_dependOnlyOnTheSeed() {
        LinearEquationTask same = new LinearEquationTask(LinearEquationTask.Settings.defaults(1));
        LinearEquationTask other = new LinearEquationTask(LinearEquationTask.Settings.defaults(2));
        assertEquals(task.test(), same.test());
        assertNotEquals(task.test(), other.test());
    }

    @Test
    void ownCheckPasses_readsTheVerdictThatEndsTheAttempt() {
        Problem p = new Problem("p", "7*x+2=23", "3");
        assertEquals(java.util.Optional.of(true), task.ownCheckPasses(task.correctAttempt(p)));
        assertEquals(java.util.Optional.of(false), task.ownCheckPasses("x=4 check 7*4=28 28+2=30 vs 23 high"));
        assertEquals(java.util.Optional.of(false), task.ownCheckPasses("x=2 check 7*2=14 14+2=16 vs 23 low"));
        assertEquals(java.util.Optional.empty(), task.ownCheckPasses("x=3 check 7*3=21"));
        assertEquals(java.util.Optional.empty(), task.ownCheckPasses("x=3 check 7*3=21 21+2=23 vs 23 okay"));
    }

    @Test
    void correctAttempt_substitutesHonestly_andScoresOne() {
        Problem p = new Problem("p", "7*x+2=23", "3");
        assertEquals("x=3 check 7*3=21 21+2=23 vs 23 ok", task.correctAttempt(p));
        assertEquals(1, task.verifier().score(p, task.correctAttempt(p)));
    }

    @Test
    void plausibleWrongAttempt_isNearTheAnswer_checksHonestly_andScoresZero() {
        SplittableRandom random = new SplittableRandom(5);
        for (Problem p : task.test()) {
            String wrong = task.plausibleWrongAttempt(p, random);
            assertEquals(0, task.verifier().score(p, wrong), wrong);
            int x = Integer.parseInt(task.verifier().extractAnswer(wrong));
            int answer = Integer.parseInt(p.answer());
            assertTrue(x >= 0 && Math.abs(x - answer) <= 2, wrong);
            assertEquals(LinearEquationTask.attempt(p, x), wrong);
            String c = p.question().split("=")[1];
            // the check names the error and its direction: too high means x is too big
            assertTrue(wrong.endsWith(" vs " + c + (x > answer ? " high" : " low")), "the check must expose the error: " + wrong);
        }
    }

    @Test
    void verifier_readsTheLeadingAnswerOnly() {
        Verifier v = task.verifier();
        Problem p = new Problem("p", "4*x+1=49", "12");
        assertEquals(1, v.score(p, "x=12 check 4*12=48 48+1=49 vs 49 ok"));
        assertEquals(1, v.score(p, " x = 12"));
        assertEquals(0, v.score(p, "x=1 check 4*1+1=5"));
        assertEquals(0, v.score(p, "x=123"));
        assertEquals(0, v.score(p, "check 4*12+1=49 x=12"));
        assertEquals(0, v.score(p, ""));
        assertEquals("", v.extractAnswer("garbage"));
    }

    @Test
    void settings_rejectSplitsThatLeaveNoTrainingProblems() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinearEquationTask.Settings(2, 2, 2, 0, 1, 2, 1));
        assertTrue(e.getMessage().contains("widen the ranges"), e.getMessage());
    }

    @Test
    void everyQuestion_isUnique() {
        Set<String> questions = new HashSet<>();
        Stream.of(task.train(), task.dev(), task.test()).flatMap(java.util.List::stream)
                .forEach(p -> assertTrue(questions.add(p.question()), p.question()));
    }
}
