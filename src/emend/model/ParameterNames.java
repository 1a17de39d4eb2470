package emend.model;

/** Tensor names of the Hugging Face Llama layout, the stable names of Emend checkpoints. */
public final class ParameterNames {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private ParameterNames() {}

    /** Names of the tensors of block {@code i}. */
    public static Layer layer(int i) {
        return new Layer("model.layers." + i + ".");
    }

    /** Tensor names of one transformer block. */
    public record Layer(String prefix) {
        public String inputNorm() {
            return prefix + "input_layernorm.weight";
        }

        public String query() {
            return prefix + "self_attn.q_proj.weight";
        }

        public String key() {
            return prefix + "self_attn.k_proj.weight";
        }

        public String value() {
            return prefix + "self_attn.v_proj.weight";
        }

        public String queryBias() {
            return prefix + "self_attn.q_proj.bias";
        }

        public String keyBias() {
            return prefix + "self_attn.k_proj.bias";
        }

        public String valueBias() {
            return prefix + "self_attn.v_proj.bias";
        }

        public String output() {
            return prefix + "self_attn.o_proj.weight";
        }

        public String postAttentionNorm() {
            return prefix + "post_attention_layernorm.weight";
        }

        public String gate() {
            return prefix + "mlp.gate_proj.weight";
        }

        public String up() {
            return prefix + "mlp.up_proj.weight";
        }

        public String down() {
            return prefix + "mlp.down_proj.weight";
        }
    }
}
