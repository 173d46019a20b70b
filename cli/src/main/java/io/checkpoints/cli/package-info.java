/**
 * The {@code checkpoints} command line: runs replay scripts against the library and prints what
 * each event led to.
 *
 * <p>Not a library API: the classes here are the command's implementation.
 */
package io.checkpoints.cli;
