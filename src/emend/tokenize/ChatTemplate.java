package emend.tokenize;

/**
 * The token layout of a two-attempt dialogue for one tokenizer family, as plain token sequences:
 * {@code start userOpen question assistantOpen attempt1 <eos> betweenTurns userOpen instruction assistantOpen
 * attempt2 <eos>}. A Hugging Face tokenizer fills it from its Jinja chat template where that renders, else from a
 * layout guessed for its family ({@link HfTokenizer}).
 */
public record ChatTemplate(int[] start, int[] userOpen, int[] assistantOpen, int[] betweenTurns) {

    public ChatTemplate {
        start = start.clone();
        userOpen = userOpen.clone();
        assistantOpen = assistantOpen.clone();
        betweenTurns = betweenTurns.clone();
    }

    @Override
    public int[] start() {
        return start.clone();
    }

    @Override
    public int[] userOpen() {
        return userOpen.clone();
    }

    @Override
    public int[] assistantOpen() {
        return assistantOpen.clone();
    }

    @Override
    public int[] betweenTurns() {
        return betweenTurns.clone();
    }
}
