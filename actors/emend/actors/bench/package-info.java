/**
 * The actor runtime benchmark (`emend bench cluster`) with stand-ins for the model.
 */
package emend.actors.bench;
