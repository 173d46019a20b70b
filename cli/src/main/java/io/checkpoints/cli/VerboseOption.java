package io.checkpoints.cli;

/**
 * A command with a {@code --verbose} option, so that the top-level error handler knows whether to
 * print the stack trace of an unexpected failure. Implementations are picocli commands: not
 * thread-safe, one instance per execution.
 */
interface VerboseOption {

  /** @return whether {@code --verbose} was given */
  boolean verbose();
}
