/**
 * Differential tests against the released reference core: the same replay scripts and SQL calls
 * run through the reference's SQL functions and through this library, compared value by value.
 */
package io.checkpoints.conformance;
