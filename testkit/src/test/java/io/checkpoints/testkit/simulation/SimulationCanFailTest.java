package io.checkpoints.testkit.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointState;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointTransaction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The simulation's checks catch a broken gate, and a failure replays and shrinks. */
class SimulationCanFailTest {

  static {
    QuietDomainLogs.install();
  }

  @Test
  void aStoreThatForgetsToArmTheGateBreaksMonotonicReads() {
    long failing = LongStream.range(0, 200)
        .filter(seed -> !new SimulationRun(Simulation.plan(seed, SimulationOptions.defaults()),
            NeverArmed::new).execute().violations().isEmpty())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no seed of 200 caught a gate that never arms"));
    SimulationRun run = new SimulationRun(Simulation.plan(failing, SimulationOptions.defaults()), NeverArmed::new)
        .execute();
    assertThat(run.violations()).anyMatch(v -> v.contains("went backwards") || v.contains("no convergence"));
  }

  @Test
  void withoutAUserALostRecordAfterAClearReusesAnIdAndBreaksTheGateAsInTheReference() {
    // Found by the simulation: the service lost the record while the host had cleared, so the
    // counter restarted and id 2 was accepted again; a held checkpoint acknowledging the old id 2
    // then passed the new target 2 with data that lacked the host's newest write.
    java.util.List<SimAction> actions = java.util.List.of(
        new SimAction.Connect(0), new SimAction.Write(0, "k3"), new SimAction.Upload(0, false),
        new SimAction.Disconnect(0),
        new SimAction.Fault(io.checkpoints.adapter.inmemory.ServiceCall.CHECKPOINT_REQUEST, 0, 1212, false, 1),
        new SimAction.SetLag(1000), new SimAction.Clear(0), new SimAction.Write(0, "k4"),
        new SimAction.Connect(0), new SimAction.Advance(448), new SimAction.LoseRecord(0));
    SimulationRun withoutUser = Simulation.execute(
        new Simulation.Plan(1, new SimulationOptions(1, 20, false), true, actions));
    SimulationRun withUser = Simulation.execute(
        new Simulation.Plan(1, new SimulationOptions(1, 20, true), true, actions));
    assertThat(withoutUser.violations()).anyMatch(v -> v.contains("went backwards on k4"));
    assertThat(withUser.violations()).as("deviation 5: the per-user sequence keeps ids increasing").isEmpty();
  }

  @Test
  void aPlanReplaysExactly() {
    Simulation.Plan plan = Simulation.plan(42, SimulationOptions.defaults());
    assertThat(Simulation.plan(42, SimulationOptions.defaults())).isEqualTo(plan);
    SimulationRun first = Simulation.execute(plan);
    SimulationRun second = Simulation.execute(plan);
    assertThat(second.applies()).isEqualTo(first.applies());
    assertThat(second.backend()).isEqualTo(first.backend());
  }

  @Test
  void aFailureReportsTheSeedAndAShortActionList() {
    // A single host that writes and reads back its own value: with a store that never arms the
    // gate, a stale checkpoint overwrites the write.
    SimulationFailure failure = new SimulationFailure(
        Simulation.plan(7, SimulationOptions.defaults()), java.util.List.of("example"), 99);
    assertThat(failure).hasMessageContaining("seed 7").hasMessageContaining("-Dcheckpoints.simulation.seed=7")
        .hasMessageContaining("shrunk from 99");
    assertThatThrownBy(() -> { throw failure; }).isInstanceOf(AssertionError.class);
  }

  /** An in-memory store whose target can never be MAX: local writes do not arm the gate. */
  private static final class NeverArmed extends ForwardingCheckpointStore {

    NeverArmed(ClientId clientId) {
      super(InMemoryCheckpointStore.create(clientId));
    }

    @Override
    protected CheckpointTransaction wrap(CheckpointTransaction transaction) {
      return new ForwardingCheckpointTransaction(transaction) {
        @Override
        public CheckpointState state() {
          return new ForwardingCheckpointState(super.state()) {
            @Override
            public void setTarget(CheckpointRequestId target) {
              if (!target.isMax()) {
                super.setTarget(target);
              }
            }
          };
        }
      };
    }
  }
}
