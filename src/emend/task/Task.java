package emend.task;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A self-correction task: problem sets, the texts of the two turns, and a verifier.
 *
 * <p>The three problem splits are disjoint: {@code train} feeds warm-up and RL, {@code dev} selects checkpoints,
 * {@code test} is only ever evaluated.
 */
public interface Task {

    String name();

    Splits splits();

    default List<Problem> train() {
        return splits().train();
    }

    default List<Problem> dev() {
        return splits().dev();
    }

    default List<Problem> test() {
        return splits().test();
    }

    /** The fixed self-correction instruction of turn 2; it never says whether attempt 1 was right. */
    String instruction();

    Verifier verifier();

    /** The longest attempt the task needs, in tokens (generation budget per turn). */
    int maxAttemptTokens();

    /** A fully correct worked attempt, as a teacher would write it (warm-up data, counterfactual diagnostics). */
    String correctAttempt(Problem problem);

    /**
     * A plausible wrong attempt, written as carefully as a correct one (warm-up noise, counterfactual
     * diagnostics); it must score 0.
     */
    String plausibleWrongAttempt(Problem problem, SplittableRandom random);

    /**
     * What an attempt's own check says of it: true when it passes its own check, false when the check flags it
     * wrong; empty when the task's attempts carry no check or this one's cannot be read.
     */
    default Optional<Boolean> ownCheckPasses(String attempt) {
        return Optional.empty();
    }
}
