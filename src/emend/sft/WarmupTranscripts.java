package emend.sft;

import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two-turn transcripts for the supervised warm-up that makes the base model.
 *
 * <p>Attempt 1 is a draw from a noisy teacher: right with probability {@code teacherAccuracy}, otherwise a
 * plausible wrong attempt checked just as honestly. Attempt 2 repeats attempt 1 word for word with probability
 * {@code repeatProbability}, else it is an independent draw: never a correction. A model that reads its own
 * check would learn even from independent draws that a flagged answer is rarely drawn twice (so it would change
 * it without any RL); the repeats make the base model stand by its first answer instead, as a prompted model does
 * in the paper, so its greedy Δ(t1, t2) is about zero. Because wrong attempts are part of its own distribution,
 * its attempt 1 is an honest best try that is sometimes wrong. Loss falls on the attempt tokens only.
 */
public final class WarmupTranscripts {

    private final Task task;
    private final Dialogue dialogue;
    private final double teacherAccuracy;
    private final double repeatProbability;

    public WarmupTranscripts(Task task, Dialogue dialogue, double teacherAccuracy, double repeatProbability) {
        if (!(teacherAccuracy > 0 && teacherAccuracy <= 1)) {
            throw new IllegalArgumentException("teacher accuracy must be in (0, 1], got " + teacherAccuracy);
        }
        if (!(repeatProbability >= 0 && repeatProbability < 1)) {
            throw new IllegalArgumentException("repeat probability must be in [0, 1), got " + repeatProbability);
        }
        if (task.train().isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + " has no training problems for the warm-up");
        }
        this.task = task;
        this.dialogue = dialogue;
        this.teacherAccuracy = teacherAccuracy;
        this.repeatProbability = repeatProbability;
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
            int[] second = random.nextDouble() < repeatProbability ? first.clone() : dialogue.attemptTokens(teacherAttempt(problem, random));
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
