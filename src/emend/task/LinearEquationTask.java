package emend.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The default task: solve {@code a*x+b=c} for a non-negative integer x, then check the answer by substitution.
 *
 * <p>A worked attempt reads {@code x=3 check 7*3=21 21+2=23 vs 23 ok}. The check is the point of the task:
 * substituting is easier than solving, and an honest check of a wrong x ends in a verdict that says so and which
 * way it is off ({@code x=4 check 7*4=28 28+2=30 vs 23 high}), so attempt 1 carries the model's own evidence of
 * its error into the turn-2 context. What the model does with that evidence in turn 2 is what SCoRe has to
 * teach; the instruction never reveals it. Measured reasons for this exact form: a one-step {@code 7*3+2=23} let
 * the tiny model copy c from the question instead of computing; with the verdict written before c
 * ({@code 30!=23}) the warm-up base model ended 252 of its 290 wrong greedy attempts in {@code ==}, so attempt 1
 * exposed almost nothing; with c copied next to the sum and the verdict after it, a long enough warm-up checks
 * honestly (seed 1's default base model: 232 of 235 wrong greedy attempts flagged, 261 of 265 right ones passed).
 *
 * <p>Every (a, x, b) in the ranges is one problem; the set is shuffled under the task seed and cut into test,
 * dev and train, so held-out problems never appear in training.
 */
public final class LinearEquationTask implements Task {

    /** The task's name in settings ({@code emend.task.name}), on the command line and in reports. */
    public static final String NAME = "linear";

    /** Problem ranges and split sizes. */
    public record Settings(int minA, int maxA, int maxX, int maxB, int devSize, int testSize, long seed) {
        public Settings {
            if (minA < 1 || maxA < minA || maxX < 2 || maxB < 0) {
                throw new IllegalArgumentException("linear task ranges need 1 <= minA <= maxA, maxX >= 2, maxB >= 0; got a in ["
                        + minA + ", " + maxA + "], x in [0, " + maxX + "], b in [0, " + maxB + "]");
            }
            long total = (long) (maxA - minA + 1) * (maxX + 1) * (maxB + 1);
            if (devSize < 0 || testSize < 1 || devSize + testSize >= total) {
                throw new IllegalArgumentException("linear task: dev " + devSize + " + test " + testSize
                        + " must leave training problems out of " + total + "; widen the ranges or shrink the splits");
            }
        }

        public static Settings defaults(long seed) {
            return new Settings(2, 9, 20, 40, 300, 500, seed);
        }
    }

    private final Settings settings;
    private final Splits splits;
    private final NumericAnswerVerifier verifier = new NumericAnswerVerifier("x=");

    public LinearEquationTask(Settings settings) {
        this.settings = settings;
        List<Problem> all = new ArrayList<>();
        for (int a = settings.minA(); a <= settings.maxA(); a++) {
            for (int x = 0; x <= settings.maxX(); x++) {
                for (int b = 0; b <= settings.maxB(); b++) {
                    all.add(problem(a, x, b));
                }
            }
        }
        splits = Splits.shuffled(all, settings.seed(), settings.testSize(), settings.devSize());
    }

    private static Problem problem(int a, int x, int b) {
        int c = a * x + b;
        return new Problem("lin-" + a + "-" + b + "-" + c, a + "*x+" + b + "=" + c, Integer.toString(x));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Splits splits() {
        return splits;
    }

    @Override
    public String instruction() {
        return "There might be an error above. Correct it, if any.";
    }

    @Override
    public Verifier verifier() {
        return verifier;
    }

    @Override
    public int maxAttemptTokens() {
        return 48;
    }

    @Override
    public String correctAttempt(Problem problem) {
        return attempt(problem, Integer.parseInt(problem.answer()));
    }

    /** The answer off by 1 or 2 (never negative), checked honestly, so the check shows the mismatch. */
    @Override
    public String plausibleWrongAttempt(Problem problem, SplittableRandom random) {
        int x = Integer.parseInt(problem.answer());
        int wrong;
        do {
            int offset = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
            wrong = x + offset;
        } while (wrong < 0 || wrong == x);
        return attempt(problem, wrong);
    }

    /** {@code x=X check a*X=P P+b=V vs c ok|high|low}, computed for the given X (an honest substitution). */
    static String attempt(Problem problem, int x) {
        String[] sides = problem.question().split("=");
        String[] terms = sides[0].split("\\*x\\+");
        int a = Integer.parseInt(terms[0]);
        int b = Integer.parseInt(terms[1]);
        int c = Integer.parseInt(sides[1]);
        int value = a * x + b;
        String verdict = value == c ? "ok" : value > c ? "high" : "low";
        return "x=" + x + " check " + a + "*" + x + "=" + (a * x) + " " + (a * x) + "+" + b + "=" + value + " vs " + c + " " + verdict;
    }

    /** The verdict that ends a worked attempt: {@code ok} passes, {@code high} and {@code low} flag it wrong. */
    @Override
    public Optional<Boolean> ownCheckPasses(String attempt) {
        String text = attempt.strip();
        if (text.endsWith(" ok")) {
            return Optional.of(true);
        }
        return text.endsWith(" high") || text.endsWith(" low") ? Optional.of(false) : Optional.empty();
    }

    public Settings settings() {
        return settings;
    }
}
