package io.checkpoints.testkit.model;

import java.util.List;
import java.util.Objects;

/**
 * A failed model-based run after shrinking: the seed that replays it, the original and the shrunk
 * action lists, and the first divergence of the shrunk list. Immutable and thread-safe.
 *
 * @param seed the seed of the action list
 * @param original the generated action list
 * @param shrunk the shortest failing list the shrinker found
 * @param divergence the first divergence of the shrunk list
 * @param shrinkRuns how many candidate lists the shrinker executed
 */
public record ModelFailure(
    long seed, List<Action> original, List<Action> shrunk, Divergence divergence, int shrinkRuns) {

  /**
   * @param seed the seed of the action list
   * @param original the generated action list
   * @param shrunk the shortest failing list the shrinker found
   * @param divergence the first divergence of the shrunk list
   * @param shrinkRuns how many candidate lists the shrinker executed
   * @throws NullPointerException if an argument is null
   */
  public ModelFailure {
    original = List.copyOf(original);
    shrunk = List.copyOf(shrunk);
    Objects.requireNonNull(divergence, "divergence");
  }

  /**
   * @return the failure report: the seed and how to replay it, the shrunk action list one per
   *     line, the first divergence and the trace of the shrunk run
   */
  public String report() {
    StringBuilder report = new StringBuilder();
    report.append("The domain diverged from the model of the specification.\n")
        .append("Seed: ").append(seed)
        .append("   (replay: -D").append(SyncClientModelContract.SEED_PROPERTY).append('=').append(seed)
        .append(")\n")
        .append("Shrunk from ").append(original.size()).append(" to ").append(shrunk.size())
        .append(" actions (").append(shrinkRuns).append(" runs):\n");
    for (int i = 0; i < shrunk.size(); i++) {
      report.append(String.format("  %3d. %s%n", i + 1, shrunk.get(i)));
    }
    report.append("First divergence ").append(divergence.describe()).append('\n')
        .append("Trace of the shrunk list (values resolved; outcome; state after):\n");
    divergence.trace().forEach(line -> report.append("  ").append(line).append('\n'));
    return report.toString();
  }
}
