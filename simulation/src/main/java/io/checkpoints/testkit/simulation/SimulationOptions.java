package io.checkpoints.testkit.simulation;

/**
 * How a batch of simulation runs is shaped. Immutable and thread-safe.
 *
 * @param hosts how many clients, 1 or more
 * @param actions how many actions a run has at most
 * @param userSequences whether hosts start their iterations with a known user (per-user sequence)
 */
public record SimulationOptions(int hosts, int actions, boolean userSequences) {

  /**
   * @param hosts how many clients, 1 or more
   * @param actions how many actions a run has at most
   * @param userSequences whether hosts start their iterations with a known user (per-user sequence)
   * @throws IllegalArgumentException if a count is not positive
   */
  public SimulationOptions {
    if (hosts < 1 || actions < 1) {
      throw new IllegalArgumentException("hosts and actions must be positive");
    }
  }

  /** @return three hosts, 120 actions, with per-user sequences */
  public static SimulationOptions defaults() {
    return new SimulationOptions(3, 120, true);
  }
}
