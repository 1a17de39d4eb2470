package emend.rollout;

/**
 * One sampled two-attempt dialogue, as a rollout produced it and the learner consumes it.
 *
 * <p>Token in, token out: {@code promptOne + attemptOne + instructionSuffix + attemptTwo} is exactly the sequence
 * the sampler saw. The log-probs are those of the behaviour policy (version {@code policyVersion}) at sampling
 * time. A single-turn trajectory has empty attempt-2 arrays.
 *
 * @param groupId samples of the same prompt share it (the RLOO group)
 * @param firstAttempt which attempt 1 of its group the row continues: rows of a group with the same index share
 *                     attempt 1 (its tokens and turn-1 reward) and differ only in attempt 2 (turn-2 siblings)
 * @param temperature the sampling temperature of both attempts; the learner scores the row at it
 * @param offlineFirstAttempt attempt 1 came from the frozen base model, not the policy
 *                            ({@code emend.rl.offline-first-attempts}): the row is a turn-2 context only, and its
 *                            attempt 1 gets no policy-gradient or KL term and is not in turn 1's RLOO group
 */
public record Trajectory(
        String id,
        String groupId,
        int firstAttempt,
        String problemId,
        long policyVersion,
        double temperature,
        int[] promptOne,
        int[] attemptOne,
        float[] logProbsOne,
        int[] instructionSuffix,
        int[] attemptTwo,
        float[] logProbsTwo,
        int rewardOne,
        int rewardTwo,
        boolean offlineFirstAttempt) {

    public Trajectory {
        if (attemptOne.length != logProbsOne.length || attemptTwo.length != logProbsTwo.length) {
            throw new IllegalArgumentException("trajectory " + id + ": every generated token needs its behaviour log-prob");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("trajectory " + id + ": sampling temperature must be > 0 and finite, got " + temperature);
        }
        if (firstAttempt < 0) {
            throw new IllegalArgumentException("trajectory " + id + ": first-attempt index must be >= 0, got " + firstAttempt);
        }
        if (attemptOne.length == 0) {
            throw new IllegalArgumentException("trajectory " + id + ": attempt 1 is empty");
        }
    }

    /** A row whose attempt 1 the policy sampled (the usual case). */
    public Trajectory(String id, String groupId, int firstAttempt, String problemId, long policyVersion, double temperature, int[] promptOne,
                      int[] attemptOne, float[] logProbsOne, int[] instructionSuffix, int[] attemptTwo, float[] logProbsTwo, int rewardOne, int rewardTwo) {
        this(id, groupId, firstAttempt, problemId, policyVersion, temperature, promptOne, attemptOne, logProbsOne, instructionSuffix, attemptTwo,
                logProbsTwo, rewardOne, rewardTwo, false);
    }

    /** The same trajectory with the verifier's rewards; a single-turn row has no attempt 2, which earns 0 whatever {@code r2} says. */
    public Trajectory withRewards(int r1, int r2) {
        return new Trajectory(id, groupId, firstAttempt, problemId, policyVersion, temperature, promptOne, attemptOne, logProbsOne, instructionSuffix,
                attemptTwo, logProbsTwo, r1, hasTurnTwo() ? r2 : 0, offlineFirstAttempt);
    }

    public boolean hasTurnTwo() {
        return attemptTwo.length > 0;
    }

    /** Length of the full token sequence. */
    public int length() {
        return promptOne.length + attemptOne.length + (hasTurnTwo() ? instructionSuffix.length + attemptTwo.length : 0);
    }

    /** Number of generated tokens in both attempts. */
    public int generatedTokens() {
        return attemptOne.length + attemptTwo.length;
    }
}
