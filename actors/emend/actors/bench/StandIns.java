package emend.actors.bench;

import emend.generate.SamplingConfig;
import emend.proto.Evaluation;
import emend.rl.LearnerStats;
import emend.rl.Stage;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.RolloutGenerator;
import emend.rollout.Trajectory;
import emend.run.PolicyTrainer;
import emend.run.TrainingSession;
import emend.task.Dialogue;
import emend.util.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stand-ins for the model in runtime benchmarks, so the figures measure the orchestration (leases, messages,
 * verification, acknowledgements, weight publication) and not the transformer. Never used by a run.
 */
final class StandIns {

    private StandIns() {}

    /** A learner that only counts: each step takes {@code stepMillis} and bumps the version. */
    static final class Trainer implements PolicyTrainer {
        private final int totalSteps;
        private final long stepMillis;
        private final AtomicInteger steps = new AtomicInteger();
        private final List<Long> stepEndNanos = new ArrayList<>();

        Trainer(int totalSteps, long stepMillis) {
            this.totalSteps = totalSteps;
            this.stepMillis = stepMillis;
        }

        @Override
        public void begin() {}

        @Override
        public long version() {
            return steps.get();
        }

        @Override
        public int stepsDone() {
            return steps.get();
        }

        @Override
        public boolean finished() {
            return steps.get() >= totalSteps;
        }

        @Override
        public Stage stageOf(long stepNumber) {
            return Stage.STAGE_TWO;
        }

        @Override
        public LearnerStats step(List<RlooGroup> batch, double rolloutSeconds, Map<String, Object> runtime) {
            sleep(stepMillis);
            synchronized (stepEndNanos) {
                stepEndNanos.add(System.nanoTime());
            }
            steps.incrementAndGet();
            return new LearnerStats(0, 0, 0, 0, 0, 0, 0, 0, RlooGroup.rowsOf(batch).stream().mapToInt(Trajectory::generatedTokens).sum());
        }

        @Override
        public TrainingSession.Outcome finish() {
            return new TrainingSession.Outcome(null, steps.get(), List.of(), false);
        }

        @Override
        public Path checkpoint() {
            throw new UnsupportedOperationException("the orchestration benchmark's stand-in trainer has no state to save");
        }

        @Override
        public int lastCheckpointStep() {
            return 0;
        }

        @Override
        public Optional<Evaluation> lastEvaluation() {
            return Optional.empty();
        }

        @Override
        public TrainingSession.Outcome stop() {
            return new TrainingSession.Outcome(null, steps.get(), List.of(), true);
        }

        /** When step {@code step} (1-based) ended, in {@link System#nanoTime()}. */
        long stepEndNanos(int step) {
            synchronized (stepEndNanos) {
                return stepEndNanos.get(step - 1);
            }
        }

        /** Seconds between the ends of steps {@code from} and {@code to} (1-based). */
        double secondsBetween(int from, int to) {
            return (stepEndNanos(to) - stepEndNanos(from)) / 1e9;
        }
    }

    /**
     * A generator that writes a fixed short answer for every sample; with {@code meanMillis > 0} a call also waits
     * as long as its longest prompt would take, each prompt's time drawn from a Pareto law (shape 1.5), the heavy
     * tail of real generation lengths ({@link #steady}: every call lasts the same).
     */
    static final class Generator implements RolloutGenerator {
        private final Dialogue dialogue;
        private final long meanMillis;
        private final boolean heavyTailed;

        /** @param dialogue the run's: the learner checks that a group's prompts are its lease's and its instruction the run's */
        Generator(Dialogue dialogue, long meanMillis) {
            this(dialogue, meanMillis, true);
        }

        private Generator(Dialogue dialogue, long meanMillis, boolean heavyTailed) {
            this.dialogue = dialogue;
            this.meanMillis = meanMillis;
            this.heavyTailed = heavyTailed;
        }

        /** A generator whose every call lasts {@code millis} (0: returns at once). */
        static Generator steady(Dialogue dialogue, long millis) {
            return new Generator(dialogue, millis, false);
        }

        @Override
        public List<RlooGroup> generateUnscored(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                                long runSeed, long policyVersion) {
            long longest = 0;
            List<RlooGroup> out = new ArrayList<>(prompts.size());
            int siblings = shape.rowsPerFirstAttempt();
            for (PromptDraw draw : prompts) {
                if (meanMillis > 0 && heavyTailed) {
                    SplittableRandom random = new SplittableRandom(Seeds.derive(runSeed, draw.step(), draw.problemIndex()));
                    // Pareto(x_m, 1.5) has mean 3 x_m
                    double pareto = (meanMillis / 3.0) / Math.pow(1 - random.nextDouble(), 1 / 1.5);
                    longest = Math.max(longest, (long) Math.min(pareto, 40.0 * meanMillis));
                }
                int[] prompt = dialogue.turnOnePrompt(draw.problem().question());
                List<Trajectory> rows = new ArrayList<>(shape.rows());
                for (int s = 0; s < shape.firstAttempts(); s++) {
                    for (int j = 0; j < siblings; j++) {
                        rows.add(new Trajectory(shape.rowId(draw.groupId(), s, j), draw.groupId(), s, draw.problem().id(),
                                policyVersion, sampling.temperature(), prompt, new int[] {120, 61, 49, 2}, new float[] {-1f, -1f, -1f, -1f},
                                dialogue.instructionSuffix(), new int[] {120, 61, 50, 2}, new float[] {-1f, -1f, -1f, -1f}, 0, 0));
                    }
                }
                out.add(new RlooGroup(draw.groupId(), siblings, rows));
            }
            sleep(heavyTailed ? longest : meanMillis);
            return out;
        }
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
