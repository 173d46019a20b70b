package io.checkpoints.testkit.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointState;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.UploadQueue;
import io.checkpoints.ports.UserSequences;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Optional;
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
  private static final class NeverArmed implements CheckpointStore {
    private final InMemoryCheckpointStore delegate;

    NeverArmed(ClientId clientId) {
      delegate = InMemoryCheckpointStore.create(clientId);
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
      return delegate.inTransaction(tx -> work.run(new CheckpointTransaction() {
        @Override
        public CheckpointState state() {
          CheckpointState state = tx.state();
          return new CheckpointState() {
            @Override public ClientId clientId() { return state.clientId(); }
            @Override public Optional<CheckpointRequestId> target() { return state.target(); }
            @Override public void setTarget(CheckpointRequestId target) {
              if (!target.isMax()) {
                state.setTarget(target);
              }
            }
            @Override public void deleteTarget() { state.deleteTarget(); }
            @Override public Optional<CheckpointRequestId> lastRequested() { return state.lastRequested(); }
            @Override public void setLastRequested(CheckpointRequestId counter) { state.setLastRequested(counter); }
            @Override public Optional<WriteCheckpoint> lastSeen() { return state.lastSeen(); }
            @Override public void setLastSeen(WriteCheckpoint seen) { state.setLastSeen(seen); }
            @Override public void deleteLastSeen() { state.deleteLastSeen(); }
            @Override public Optional<WriteCheckpoint> lastApplied() { return state.lastApplied(); }
            @Override public void setLastApplied(WriteCheckpoint applied) { state.setLastApplied(applied); }
            @Override public void deleteLastApplied() { state.deleteLastApplied(); }
          };
        }

        @Override public UploadQueue uploadQueue() { return tx.uploadQueue(); }
        @Override public UserSequences userSequences() { return tx.userSequences(); }
        @Override public void clear(ClearFlags flags) { tx.clear(flags); }
        @Override public <U> Optional<U> unwrap(Class<U> type) { return tx.unwrap(type); }
        @Override public void afterCompletion(CompletionCallback callback) { tx.afterCompletion(callback); }
      }));
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
