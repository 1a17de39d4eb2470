/**
 * Terminal output: the progress bar of long phases.
 */
package emend.console;
