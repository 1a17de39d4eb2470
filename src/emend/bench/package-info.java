/**
 * Benchmarks of the model and the code verifier that print figures (`emend bench model`, `emend bench verifier`);
 * no pass/fail.
 */
package emend.bench;
