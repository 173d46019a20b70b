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
    int waiters = 0;
    long started = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      SimulationRun run = Simulation.check(BASE_SEED + i, SimulationOptions.defaults());
      applies += run.applies();
      waiters += run.waitersOpened();
    }
    System.out.printf("simulation: %d seeds from %d, %d applies, %d handles and waiters checked, %.1f s%n",
        runs, BASE_SEED, applies, waiters, (System.nanoTime() - started) / 1e9);
    assertThat(applies).as("the runs applied checkpoints at all").isGreaterThan(runs);
    assertThat(waiters).as("the runs opened handles and waiters for the soundness check").isGreaterThan(runs);
  }

  @Test
  void aLate404ForAnEndedConnectionChangesNothing() {
    // Issue 13, case 2: a request of an ended connection is answered 404 after a reconnect; the
    // new connection's handle must still sync, and nothing may fail with NotSupported.
    java.util.List<SimAction> actions = java.util.List.of(
        new SimAction.Connect(0), new SimAction.Advance(1_000),
        new SimAction.HoldAnswers(0, 1, true), new SimAction.Request(0),
        new SimAction.Reconnect(0), new SimAction.Advance(1_000), new SimAction.Request(0),
        new SimAction.ReleaseAnswers(0), new SimAction.Write(0, "k1"), new SimAction.Upload(0, false),
        new SimAction.Advance(30_000));
    SimulationRun run = Simulation.execute(
        new Simulation.Plan(1, new SimulationOptions(1, 20, true), true, actions));
    assertThat(run.violations()).isEmpty();
    assertThat(run.waitersOpened()).as("the second request got a handle").isEqualTo(1);
    assertThat(run.backend()).containsEntry("k1", 1L);
  }

  @Test
  void aHandleOfOneUserIsNotSyncedByAnothersCheckpoint() {
    // Issue 13, case 3, with the answer to alice's request arriving after bob connected, and
    // case 1: a clear between a request and its answer.
    java.util.List<SimAction> actions = java.util.List.of(
        new SimAction.Connect(0), new SimAction.Advance(1_000), new SimAction.Request(0),
        new SimAction.Advance(1_000), new SimAction.HoldAnswers(0, 1, false), new SimAction.Request(0),
        new SimAction.SwitchUser(0, false), new SimAction.Advance(1_000), new SimAction.ReleaseAnswers(0),
        new SimAction.Request(0), new SimAction.Clear(0), new SimAction.Request(0),
        new SimAction.Advance(30_000));
    SimulationRun run = Simulation.execute(
        new Simulation.Plan(1, new SimulationOptions(1, 20, true), true, actions));
    assertThat(run.violations()).isEmpty();
    assertThat(run.waitersOpened()).as("handles of both users and both sides of the clear").isGreaterThanOrEqualTo(3);
  }

  @Test
  void withoutUserSequencesAndWithTwoHostsToo() {
    SimulationOptions options = new SimulationOptions(2, 200, false);
    for (int i = 0; i < 100; i++) {
      Simulation.check(BASE_SEED + 10_000 + i, options);
    }
  }
}
