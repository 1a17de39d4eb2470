/**
 * Rollout workers: one policy copy on one device, sampling leased prompts, with a child that relays their groups
 * to the verifiers.
 */
package emend.actors.rollout;
