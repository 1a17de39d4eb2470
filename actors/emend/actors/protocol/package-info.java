/**
 * The actors' messages, the contract between packages: the learner's, the verifiers' and the node agents'
 * protocols, each message wrapping one protobuf payload from proto/ ({@link emend.actors.protocol.WireMessage}).
 * An actor package depends on the protocols it speaks, never on another actor's classes.
 */
package emend.actors.protocol;
