/**
 * The verifier pool: scores attempts against the problems the node loaded, never trusting what a message carries.
 */
package emend.actors.verifier;
