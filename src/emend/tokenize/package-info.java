/**
 * Tokenizers: the byte tokenizer of the tiny default model, Hugging Face tokenizer.json, and chat layouts (Jinja
 * templates).
 */
package emend.tokenize;
