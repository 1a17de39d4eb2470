/**
 * Protobuf on the wire: the serializer for every actor message.
 */
package emend.actors.wire;
