package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.applied;
import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host that calls the client from inside its own store transaction: one lock order, and
 * in-memory state that follows the transaction.
 */
class HostTransactionTest {

  private final Fixture f = new Fixture();

  private static final class HostRollback extends RuntimeException {
    HostRollback() {
      super("the host rolls its transaction back");
    }
  }

  private void inRolledBackHostTransaction(Runnable work) {
    assertThatThrownBy(() -> f.store.inTransaction(tx -> {
      work.run();
      throw new HostRollback();
    })).isInstanceOf(HostRollback.class);
  }

  @Test
  void anApplyInARolledBackHostTransactionLeavesTheClientAsTheDatabase() {
    f.client.start(CheckpointMode.LEGACY);
    f.client.handleLine(Fixture.checkpoint("1", 7L));
    List<SyncStatusSnapshot> announced = new ArrayList<>();
    f.client.status().addStatusListener(announced::add);
    CompletableFuture<WriteCheckpoint> waiter = f.client.status().awaitApplied(id(7));

    inRolledBackHostTransaction(() ->
        assertThat(f.client.handleLine(Fixture.complete("1"))).containsExactly(applied(7L)));

    assertThat(f.lastApplied()).isEmpty();
    assertThat(f.client.status().snapshot().lastAppliedCheckpointRequestId()).isEmpty();
    assertThat(announced).as("nothing announced for a rolled-back apply").isEmpty();
    assertThat(waiter).isNotDone();
    assertThat(f.client.status().waiterCount()).isEqualTo(1);
    assertThat(f.published).as("the host's publication rolled back too").hasSize(1);

    assertThat(f.client.handleLine(Fixture.complete("1"))).containsExactly(applied(7L));
    assertThat(waiter).isCompletedWithValue(WriteCheckpoint.of(7));
    assertThat(announced).isNotEmpty();
  }

  @Test
  void aSeedInARolledBackHostTransactionIsNoSeed() {
    f.client.start(CheckpointMode.REQUESTS);
    inRolledBackHostTransaction(() -> f.client.sequence().seed(id(5)));
    assertThat(f.counter()).isEmpty();
    assertThat(f.client.sequence().isSeeded()).isFalse();
  }

  @Test
  void aClearInARolledBackHostTransactionKeepsTheWaitersAndTheSeed() {
    f.client.start(CheckpointMode.REQUESTS);
    f.client.sequence().seed(id(5));
    CompletableFuture<WriteCheckpoint> waiter = f.client.status().awaitApplied(id(6));
    inRolledBackHostTransaction(() -> f.client.clear(ClearFlags.HARD));
    assertThat(waiter).isNotDone();
    assertThat(f.client.sequence().isSeeded()).isTrue();
    assertThat(f.client.sequence().next()).isEqualTo(id(6));
    f.fullCheckpoint("1", 6L);
    assertThat(waiter).isCompletedWithValue(WriteCheckpoint.of(6));
  }

  @Test
  void aHeldCheckpointInARolledBackHostTransactionIsNotPending() {
    f.client.start(CheckpointMode.LEGACY);
    f.write("a");
    f.client.handleLine(Fixture.checkpoint("1", null));
    inRolledBackHostTransaction(() -> f.client.handleLine(Fixture.complete("1")));
    assertThat(f.client.barrier().pendingCheckpointLastOpId()).isEmpty();
  }

  @Test
  @Timeout(60)
  void aHostTransactionOnOneThreadAndClientCallsOnAnotherNeverDeadlock() throws Exception {
    f.client.start(CheckpointMode.LEGACY);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      int rounds = 2_000;
      Future<?> host = threads.submit(() -> {
        for (int i = 0; i < rounds; i++) {
          String row = "h" + i;
          f.store.inTransaction(tx -> {
            f.client.barrier().recordLocalWrite(LocalWrite.put("items", row, "{}"));
            return f.client.status().snapshot();
          });
        }
      });
      Future<?> client = threads.submit(() -> {
        for (int i = 0; i < rounds; i++) {
          f.client.handleLine(Fixture.checkpoint(Integer.toString(i), null));
          f.client.handleLine(Fixture.complete(Integer.toString(i)));
          f.client.barrier().target();
        }
      });
      host.get(50, TimeUnit.SECONDS);
      client.get(50, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    assertThat(f.store.<Long>inTransaction(tx -> tx.uploadQueue().size())).isEqualTo(2_000L);
  }
}
