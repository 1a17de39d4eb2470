package emend.tokenize;

/**
 * Ids of the control tokens every Emend tokenizer provides.
 *
 * <p>A dialogue is rendered as {@code <bos> (<user> text <assistant> response <eos>)*}: {@code eos} closes an
 * assistant turn and is the stop token of generation, {@code pad} fills batches and is never attended to.
 */
public record SpecialTokens(int pad, int bos, int eos, int user, int assistant) {}
