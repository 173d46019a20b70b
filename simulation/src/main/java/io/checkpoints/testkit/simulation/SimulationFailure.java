package io.checkpoints.testkit.simulation;

import java.util.List;

/**
 * A simulation run broke an invariant. The message holds the seed (to replay it with
 * {@code -Dcheckpoints.simulation.seed=N}), the shrunk action list, one action per line, and the
 * violations it still shows. Immutable and thread-safe.
 */
public final class SimulationFailure extends AssertionError {

  private static final long serialVersionUID = 1L;

  private final transient Simulation.Plan plan;

  SimulationFailure(Simulation.Plan plan, List<String> violations, int originalLength) {
    super(report(plan, violations, originalLength));
    this.plan = plan;
  }

  /** @return the shrunk plan */
  public Simulation.Plan plan() {
    return plan;
  }

  private static String report(Simulation.Plan plan, List<String> violations, int originalLength) {
    StringBuilder text = new StringBuilder();
    text.append("simulation seed ").append(plan.seed())
        .append(" broke an invariant (replay: -D").append(Simulation.SEED_PROPERTY).append('=')
        .append(plan.seed()).append(")\n")
        .append("service supports checkpoint requests: ").append(plan.supported()).append('\n')
        .append("shrunk from ").append(originalLength).append(" to ").append(plan.actions().size())
        .append(" actions:\n");
    for (SimAction action : plan.actions()) {
      text.append("  ").append(action).append('\n');
    }
    text.append("violations:\n");
    for (String violation : violations) {
      text.append("  ").append(violation).append('\n');
    }
    return text.toString();
  }
}
