package emend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import emend.eval.InferenceScaling.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

final class InferenceScalingTest {

    @Test
    void score_votesOverTheFirstKAttemptsOrTheCorrectionsOfTheFirstKOverTwo() {
        // problem 1: attempts 1 are a, b, b, c (b right); attempts 2 are b, b, a, a
        List<Sample> one = List.of(new Sample("a", 0, "b", 1), new Sample("b", 1, "b", 1), new Sample("b", 1, "a", 0), new Sample("c", 0, "a", 0));
        // problem 2: attempts 1 all z (right); attempts 2 are z, w, w, w
        List<Sample> two = List.of(new Sample("z", 1, "z", 1), new Sample("z", 1, "w", 0), new Sample("z", 1, "w", 0), new Sample("z", 1, "w", 0));
        // K=2: parallel votes {a,b} -> a (tie: first) wrong and {z,z} right; corrected votes {b} and {z}, both right
        assertEquals(new InferenceScaling.Point(2, 0.5, 1.0), InferenceScaling.score(List.of(one, two), 2));
        // K=4: parallel {a,b,b,c} -> b right, {z,z,z,z} right; corrected {b,b} right, {z,w} -> z (tie: first) right
        assertEquals(new InferenceScaling.Point(4, 1.0, 1.0), InferenceScaling.score(List.of(one, two), 4));
        assertThrows(IllegalArgumentException.class, () -> InferenceScaling.score(List.of(one), 3));
        assertThrows(IllegalArgumentException.class, () -> InferenceScaling.score(List.of(one), 6));
    }
}
