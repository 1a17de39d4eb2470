/**
 * The command line (picocli): each command reads its options, builds the settings once and hands them to the core
 * or the actor runtime.
 */
package emend.cli;
