package emend.train;

import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two-turn transcripts for the supervised warm-up that makes the base model.
 *
 * <p>Both attempts are independent draws from a noisy teacher: right with probability {@code teacherAccuracy},
 * otherwise a plausible wrong attempt written just as carefully. Because attempt 2 never depends on attempt 1,
 * the base model learns to re-solve in turn 2 rather than to correct, so its Δ(t1, t2) is about zero, as for a
 * prompted model in the paper; and because wrong attempts are part of its own distribution, its attempt 1 is an
 * honest best try that is sometimes wrong. Loss falls on the attempt tokens only.
 */
public final class WarmupTranscripts {

    private final Task task;
    private final Dialogue dialogue;
    private final double teacherAccuracy;

    public WarmupTranscripts(Task task, Dialogue dialogue, double teacherAccuracy) {
        if (!(teacherAccuracy > 0 && teacherAccuracy <= 1)) {
            throw new IllegalArgumentException("teacher accuracy must be in (0, 1], got " + teacherAccuracy);
        }
        if (task.train().isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + " has no training problems for the warm-up");
        }
        this.task = task;
        this.dialogue = dialogue;
        this.teacherAccuracy = teacherAccuracy;
    }

    /** A batch of {@code size} transcripts drawn with {@code random}. */
    public TokenBatch batch(int size, SplittableRandom random) {
        List<int[]> sequences = new ArrayList<>(size);
        List<boolean[]> targets = new ArrayList<>(size);
        List<Problem> train = task.train();
        for (int i = 0; i < size; i++) {
            Problem problem = train.get(random.nextInt(train.size()));
            int[] prompt = dialogue.turnOnePrompt(problem.question());
            int[] first = dialogue.attemptTokens(teacherAttempt(problem, random));
            int[] suffix = dialogue.instructionSuffix();
            int[] second = dialogue.attemptTokens(teacherAttempt(problem, random));
            int[] sequence = new int[prompt.length + first.length + suffix.length + second.length];
            boolean[] target = new boolean[sequence.length];
            int at = 0;
            for (int[] part : new int[][] {prompt, first, suffix, second}) {
                boolean trained = part == first || part == second;
                for (int token : part) {
                    target[at] = trained;
                    sequence[at++] = token;
                }
            }
            sequences.add(sequence);
            targets.add(target);
        }
        return TokenBatch.of(sequences, targets, dialogue.tokenizer().specials().pad());
    }

    private String teacherAttempt(Problem problem, SplittableRandom random) {
        return random.nextDouble() < teacherAccuracy ? task.correctAttempt(problem) : task.plausibleWrongAttempt(problem, random);
    }
}
