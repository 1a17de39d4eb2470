package emend.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.task.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class PromptQueueTest {

    private static final List<Problem> PROBLEMS = IntStream.range(0, 7).mapToObj(i -> new Problem("p" + i, "q" + i, "a" + i)).toList();

    @Test
    void queueOfAResumedRun_continuesWithTheDrawsTheFirstRunWouldHaveMadeNext() {
        PromptQueue fresh = new PromptQueue(PROBLEMS, 11, 3, 0);
        List<PromptDraw> all = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            all.add(fresh.next());
        }
        // 4 steps of 3 prompts done: the resumed queue starts at the 13th draw, for step 5, across an epoch boundary
        PromptQueue resumed = new PromptQueue(PROBLEMS, 11, 3, 4);
        for (int i = 12; i < 15; i++) {
            PromptDraw draw = resumed.next();
            assertEquals(all.get(i).problemIndex(), draw.problemIndex(), "draw " + i);
            assertEquals(5, draw.step());
        }
    }
}
