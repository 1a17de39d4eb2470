/**
 * Tasks and their verifiers: the built-in equation task, JSONL problem sets in public formats (GSM8K, MATH, MBPP,
 * HumanEval), the code task, dialogues and answer checking.
 */
package emend.task;
