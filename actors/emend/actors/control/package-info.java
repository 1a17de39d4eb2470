/**
 * The control endpoint's actor side: run-control commands routed to the learner and the nodes.
 */
package emend.actors.control;
