/**
 * Small helpers shared across packages: int arrays, JSON numbers, seed derivation.
 */
package emend.util;
