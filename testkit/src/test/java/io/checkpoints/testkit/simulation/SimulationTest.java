package io.checkpoints.testkit.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulationTest {

  static {
    QuietDomainLogs.install();
  }

  private static final long BASE_SEED = Long.getLong("checkpoints.simulation.baseSeed", 20261126L);

  @Test
  void seededRunsKeepEveryInvariant() {
    Long only = Long.getLong(Simulation.SEED_PROPERTY);
    if (only != null) {
      Simulation.check(only, SimulationOptions.defaults());
      return;
    }
    int runs = Integer.getInteger(Simulation.RUNS_PROPERTY, 500);
    int applies = 0;
    for (int i = 0; i < runs; i++) {
      applies += Simulation.check(BASE_SEED + i, SimulationOptions.defaults()).applies();
    }
    assertThat(applies).as("the runs applied checkpoints at all").isGreaterThan(runs);
  }

  @Test
  void withoutUserSequencesAndWithTwoHostsToo() {
    SimulationOptions options = new SimulationOptions(2, 200, false);
    for (int i = 0; i < 100; i++) {
      Simulation.check(BASE_SEED + 10_000 + i, options);
    }
  }
}
