/**
 * The run-control endpoint and its client (`emend ctl`): HTTP with a token, JSON bodies in the proto3 mapping,
 * replies as text.
 */
package emend.control;
