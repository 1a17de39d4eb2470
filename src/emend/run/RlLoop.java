package emend.run;

import emend.config.RunSettings;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.rollout.PromptDraw;
import emend.rollout.PromptQueue;
import emend.rollout.RlooGroup;
import emend.rollout.RolloutSampler;
import emend.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The synchronous SCoRe driver: sample a batch of RLOO groups with the current policy, score them, take one
 * learner step, until the schedule is done. It is the reference the actor runtime is checked against (same
 * prompts, same seeds, same {@link TrainingSession}), and the algorithm in one readable place.
 */
public final class RlLoop implements RolloutDriver {

    @Override
    public TrainingSession.Outcome train(LearnerJob job) {
        RunSettings settings = job.settings();
        RunSettings.RlSettings rl = settings.rl();
        Task task = job.task();
        PolicyTrainer session = job.trainer();
        int eos = job.dialogue().tokenizer().specials().eos();
        int pad = job.dialogue().tokenizer().specials().pad();
        RolloutSampler sampler = new RolloutSampler(new Generator(job.policy(), pad), new Generator(job.reference(), pad), job.dialogue());
        PromptQueue prompts = new PromptQueue(task.train(), settings.seed(), rl.promptsPerStep(), session.stepsDone());
        session.begin();
        try (StopOnSigterm sigterm = new StopOnSigterm()) {
            while (!session.finished()) {
                if (sigterm.requested()) {
                    TrainingSession.Outcome stopped = session.stop();
                    System.out.println("SIGTERM: stopped after step " + session.stepsDone() + "; continue with --resume");
                    return stopped;
                }
                step(job, sampler, prompts, eos);
            }
        }
        return session.finish();
    }

    /** One step: draw the step's prompts, sample their groups with the current policy, score them, update. */
    private static void step(LearnerJob job, RolloutSampler sampler, PromptQueue queue, int eos) {
        RunSettings settings = job.settings();
        RunSettings.RlSettings rl = settings.rl();
        Task task = job.task();
        PolicyTrainer session = job.trainer();
        long step = session.stepsDone() + 1;
        List<PromptDraw> prompts = new ArrayList<>(rl.promptsPerStep());
        while (prompts.size() < rl.promptsPerStep()) {
            prompts.add(queue.next());
        }
        SamplingConfig sampling = SamplingConfig.sampled(job.live().temperature(), task.maxAttemptTokens(), eos);
        long t0 = System.nanoTime();
        List<RlooGroup> batch = sampler.sample(prompts, rl.groupShape(session.stageOf(step)), sampling,
                settings.seed(), session.version(), task.verifier());
        session.step(batch, (System.nanoTime() - t0) / 1e9, Map.of());
    }
}
