/**
 * Publishing policy versions: weights encoded and hashed in chunks, the TCP weight stream, and a worker's download
 * and reassembly.
 */
package emend.weights;
