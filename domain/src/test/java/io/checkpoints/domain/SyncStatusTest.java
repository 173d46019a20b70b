package io.checkpoints.domain;

import io.checkpoints.testkit.support.CapturedLog;
import static io.checkpoints.domain.Fixture.checkpoint;
import static io.checkpoints.domain.Fixture.complete;
import static io.checkpoints.domain.Fixture.diff;
import static io.checkpoints.domain.Fixture.id;
import static io.checkpoints.domain.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SyncStatusTest {

  private final Fixture f = new Fixture();
  private final SyncClient client = f.client;
  private final SyncStatus status = client.status();

  private static SyncStatusSnapshot snapshot(boolean connected, boolean connecting, Long applied) {
    return new SyncStatusSnapshot(connected, connecting, Optional.ofNullable(applied).map(WriteCheckpoint::of),
        Optional.empty());
  }

  @Test
  void statusFollowsTheIteration() {
    assertThat(status.snapshot()).isEqualTo(SyncStatusSnapshot.DISCONNECTED);
    client.start(CheckpointMode.REQUESTS);
    assertThat(status.snapshot()).isEqualTo(snapshot(false, true, null));
    client.handleLine(new SyncLine.Other("data"));
    assertThat(status.snapshot()).isEqualTo(snapshot(true, false, null));
    f.fullCheckpoint("1", 5L);
    assertThat(status.snapshot()).isEqualTo(snapshot(true, false, 5L));
    f.write("a");
    assertThat(status.snapshot()).as("an event, not a durable mark: writes do not clear it")
        .isEqualTo(snapshot(true, false, 5L));
    client.stop();
    assertThat(status.snapshot()).isEqualTo(SyncStatusSnapshot.DISCONNECTED);
  }

  @Test
  void aRestartClearsTheLastAppliedId() {
    client.start(CheckpointMode.REQUESTS);
    f.fullCheckpoint("1", 5L);
    client.start(CheckpointMode.REQUESTS);
    assertThat(status.snapshot()).isEqualTo(snapshot(false, true, null));
  }

  @Test
  void anApplyWithoutWriteCheckpointReportsNone() {
    client.start(CheckpointMode.REQUESTS);
    f.fullCheckpoint("1", 5L);
    f.fullCheckpoint("2", null);
    assertThat(status.snapshot().lastAppliedCheckpointRequestId()).isEmpty();
  }

  @Test
  void partialAppliesDoNotChangeTheLastAppliedId() {
    client.start(CheckpointMode.REQUESTS);
    client.handleLine(checkpoint("1", 5L));
    client.handleLine(partial("1", 0));
    assertThat(status.snapshot().lastAppliedCheckpointRequestId()).isEmpty();
  }

  @Test
  void anErrorDisconnects() {
    client.start(CheckpointMode.REQUESTS);
    client.handleLine(new SyncLine.Other("data"));
    assertThatThrownBy(() -> client.handleLine(diff("1", null))).isInstanceOf(SyncProtocolException.class);
    SyncStatusSnapshot after = status.snapshot();
    assertThat(after.connected()).isFalse();
    assertThat(after.connecting()).isFalse();
    assertThat(after.lastFailure()).as("the error that ended the iteration stays visible")
        .hasValueSatisfying(failure -> assertThat(failure.error()).isInstanceOf(SyncProtocolException.class));
  }

  @Test
  void listenersHearEachChangeOnceAndStopAfterClose() {
    List<SyncStatusSnapshot> heard = new ArrayList<>();
    List<LineOutcome.Applied> applied = new ArrayList<>();
    SyncStatus.Registration registration = status.addStatusListener(heard::add);
    status.addAppliedListener(applied::add);
    client.start(CheckpointMode.REQUESTS);
    client.handleLine(new SyncLine.Other("a"));
    client.handleLine(new SyncLine.Other("b"));
    f.fullCheckpoint("1", 5L);
    f.fullCheckpoint("2", 5L);
    registration.close();
    client.stop();
    assertThat(heard).containsExactly(snapshot(false, true, null), snapshot(true, false, null),
        snapshot(true, false, 5L));
    assertThat(applied).as("one event per apply, even with an equal id")
        .hasSize(2).allMatch(a -> a.writeCheckpoint().equals(Optional.of(WriteCheckpoint.of(5))));
  }

  @Test
  void aFailingListenerDoesNotBreakTheClient() {
    status.addStatusListener(s -> {
      throw new IllegalStateException("listener bug");
    });
    try (CapturedLog log = new CapturedLog(ClientState.class)) {
      client.start(CheckpointMode.REQUESTS);
      assertThat(f.fullCheckpoint("1", 1L)).hasSize(1);
      assertThat(log.records()).as("each failed callback is logged with its exception").isNotEmpty()
          .allSatisfy(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage()).isEqualTo("a sync status callback failed");
            assertThat(record.getThrown()).hasMessage("listener bug");
          });
    }
  }

  @Test
  void aWaiterCompletesWhenAnIdAtLeastAsHighIsApplied() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(10));
    f.fullCheckpoint("1", 9L);
    assertThat(waiter).isNotDone();
    f.fullCheckpoint("2", 12L);
    assertThat(waiter).isCompletedWithValue(WriteCheckpoint.of(12));
    assertThat(status.waiterCount()).isZero();
  }

  @Test
  void aWaiterForAnAlreadyAppliedIdCompletesAtOnce() {
    client.start(CheckpointMode.REQUESTS);
    f.fullCheckpoint("1", 12L);
    assertThat(status.awaitApplied(id(12))).isCompletedWithValue(WriteCheckpoint.of(12));
    assertThat(status.awaitApplied(id(13))).isNotDone();
  }

  @Test
  void aHeldCheckpointDoesNotCompleteWaiters() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3));
    f.write("a");
    f.fullCheckpoint("1", 3L);
    assertThat(waiter).isNotDone();
  }

  @Test
  void waitersFailWhenTheIterationStops() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3));
    client.stop();
    assertThatThrownBy(waiter::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
  }

  @Test
  void waitersFailWithTheSyncErrorThatEndedTheIteration() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3));
    assertThatThrownBy(() -> client.handleLine(complete("1")));
    assertThatThrownBy(waiter::join).hasCauseInstanceOf(CheckpointWaitException.SyncFailed.class)
        .hasMessageContaining("Received checkpoint complete without previous checkpoint");
  }

  @Test
  void waitersFailOnAClear() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3));
    client.clear(ClearFlags.HARD);
    assertThatThrownBy(waiter::join).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
  }

  @Test
  void aCancelledWaiterIsForgotten() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3));
    assertThat(status.waiterCount()).isEqualTo(1);
    waiter.cancel(false);
    assertThat(status.waiterCount()).isZero();
    f.fullCheckpoint("1", 3L);
    assertThatThrownBy(waiter::join).isInstanceOf(CancellationException.class);
  }

  @Test
  void aWaiterTimesOutInVirtualTime() {
    client.start(CheckpointMode.REQUESTS);
    CompletableFuture<WriteCheckpoint> waiter = status.awaitApplied(id(3), Duration.ofSeconds(5));
    f.scheduler.advance(Duration.ofMillis(4_999));
    assertThat(waiter).isNotDone();
    f.scheduler.advance(Duration.ofMillis(1));
    assertThatThrownBy(waiter::join).hasCauseInstanceOf(CheckpointWaitException.TimedOut.class);
    assertThat(status.waiterCount()).isZero();
  }

  @Test
  void aCompletedWaiterCancelsItsTimer() {
    client.start(CheckpointMode.REQUESTS);
    status.awaitApplied(id(3), Duration.ofSeconds(5));
    f.fullCheckpoint("1", 3L);
    assertThat(f.scheduler.pendingTasks()).isZero();
  }

  @Test
  void aTimeoutMustBePositive() {
    assertThatThrownBy(() -> status.awaitApplied(id(1), Duration.ZERO))
        .isInstanceOf(io.checkpoints.ports.CheckpointArgumentException.class);
  }

  @Test
  void manyWaitersResolveInOneApply() {
    client.start(CheckpointMode.REQUESTS);
    List<CompletableFuture<WriteCheckpoint>> waiters = new ArrayList<>();
    for (int i = 1; i <= 1_000; i++) {
      waiters.add(status.awaitApplied(id(i)));
    }
    f.fullCheckpoint("1", 500L);
    assertThat(waiters.subList(0, 500)).allMatch(CompletableFuture::isDone);
    assertThat(waiters.subList(500, 1_000)).noneMatch(CompletableFuture::isDone);
    assertThat(status.waiterCount()).isEqualTo(500);
  }
}
