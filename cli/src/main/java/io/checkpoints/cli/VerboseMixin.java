package io.checkpoints.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * The {@code -v/--verbose} option of every command (a picocli mixin), so that failures can show
 * their stack trace; the top-level handler of unexpected failures looks for it among a command's
 * mixins. Not thread-safe: picocli fills it, one instance per execution.
 */
final class VerboseMixin {

  @Option(names = {"-v", "--verbose"},
      description = "Print the stack trace of a failure (replay: of every event error too) on standard error.")
  private boolean verbose;

  /** @return whether {@code --verbose} was given */
  boolean verbose() {
    return verbose;
  }

  /** Prints the stack trace of {@code failure} if {@code --verbose} was given. */
  void printStackTrace(Throwable failure, PrintWriter err) {
    if (verbose) {
      failure.printStackTrace(err);
    }
  }
}
