/**
 * Protobuf on the wire: the serializer for every actor message and the counting of dropped ones.
 */
package emend.actors.wire;
