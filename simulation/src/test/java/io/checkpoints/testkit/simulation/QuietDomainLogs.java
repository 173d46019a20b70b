package io.checkpoints.testkit.simulation;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mutes the domain's warnings during simulation tests: the simulated faults make the client log
 * every distinct failure (as it should for a host), thousands of times across seeds. Thread-safe.
 */
final class QuietDomainLogs {

  /** Held so that the logging framework does not collect the configured logger. */
  private static final Logger DOMAIN = Logger.getLogger("io.checkpoints.domain");

  private QuietDomainLogs() {}

  static void install() {
    DOMAIN.setLevel(Level.OFF);
  }
}
