package emend.tokenize;

/**
 * Ids of the control tokens every Emend tokenizer provides: {@code eos} closes an assistant turn and is the
 * stop token of generation; {@code pad} fills batches and is never attended to. How turns are opened is the
 * {@link ChatTemplate}'s business.
 */
public record SpecialTokens(int pad, int eos) {}
