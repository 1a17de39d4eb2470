/**
 * Charts and the run report (`emend report`): PNG line and bar plots drawn with Java2D.
 */
package emend.report;
