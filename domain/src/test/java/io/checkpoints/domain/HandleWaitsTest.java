package io.checkpoints.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What a handle keeps (docs/performance.md, "Open handles"): its open waits, and its entry in the
 * registry; every way a handle ends must leave neither behind, and reach every open wait.
 */
class HandleWaitsTest {

  private final ConnectionFixture fixture = new ConnectionFixture();
  private final Fixture f = fixture.f;
  private final ScriptedTransport transport = fixture.transport;
  private final SyncConnection connection = fixture.connection;

  private void connectAs(String user) {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(user));
    transport.accept(1);
  }

  @Test
  void handlesOfTheSameAcceptedIdBothSyncAndLeaveNoWaiter() {
    connectAs("alice");
    CheckpointHandle first = fixture.requestAndAccept(10);
    CheckpointHandle second = fixture.requestAndAccept(10);
    assertThat(second.id()).isEqualTo(first.id());
    CompletableFuture<WriteCheckpoint> firstWait = first.waitForSync();
    CompletableFuture<WriteCheckpoint> secondWait = second.waitForSync();
    assertThat(f.client.status().waiterCount()).isEqualTo(2);

    f.fullCheckpoint("1", 10L);
    assertThat(firstWait).isCompletedWithValue(WriteCheckpoint.of(10));
    assertThat(secondWait).isCompletedWithValue(WriteCheckpoint.of(10));
    assertThat(f.client.status().waiterCount()).isZero();
  }

  @Test
  void aCancelledWaitIsForgottenWhenTheNextStartsAndTheRestSync() {
    connectAs("alice");
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> cancelledFirst = handle.waitForSync();
    cancelledFirst.cancel(false);
    CompletableFuture<WriteCheckpoint> second = handle.waitForSync();
    assertThat(handle.openWaits()).isEqualTo(1);
    CompletableFuture<WriteCheckpoint> third = handle.waitForSync();
    assertThat(handle.openWaits()).isEqualTo(2);
    second.cancel(false);
    CompletableFuture<WriteCheckpoint> fourth = handle.waitForSync();
    assertThat(handle.openWaits()).as("the cancelled second is forgotten").isEqualTo(2);

    f.fullCheckpoint("1", 100L);
    assertThat(third).isCompletedWithValue(WriteCheckpoint.of(100));
    assertThat(fourth).isCompletedWithValue(WriteCheckpoint.of(100));
    assertThatThrownBy(second::join).isInstanceOf(CancellationException.class);
    assertThat(handle.openWaits()).isZero();
    assertThat(f.client.status().waiterCount()).isZero();
  }

  @Test
  void aClearFailsEveryOpenWaitOfEveryHandleAndLeavesNoWaiter() {
    connectAs("alice");
    CheckpointHandle first = fixture.requestAndAccept(0);
    CheckpointHandle second = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> a = first.waitForSync();
    CompletableFuture<WriteCheckpoint> b = first.waitForSync();
    CompletableFuture<WriteCheckpoint> c = second.waitForSync();

    f.client.clear(ClearFlags.HARD);
    for (CompletableFuture<WriteCheckpoint> wait : java.util.List.of(a, b, c)) {
      assertThatThrownBy(wait::join).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
    }
    assertThat(first.openWaits()).isZero();
    assertThat(f.client.status().waiterCount()).isZero();
  }

  @Test
  void aUserSwitchAndAClosedClientFailHandlesForGoodAndLeaveNoWaiter() {
    connectAs("alice");
    CheckpointHandle alices = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> alicesWait = alices.waitForSync();
    connectAs("bob");
    assertThatThrownBy(alicesWait::join).as("the connect ended the connection first")
        .hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThatThrownBy(() -> alices.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.UserSwitched.class);
    assertThat(f.client.status().waiterCount()).isZero();

    CheckpointHandle bobs = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> bobsWait = bobs.waitForSync();
    f.client.close();
    assertThatThrownBy(bobsWait::join).as("closing ended the iteration first")
        .hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThatThrownBy(() -> bobs.waitForSync().join()).hasCauseInstanceOf(CheckpointWaitException.Closed.class);
    assertThat(f.client.status().waiterCount()).isZero();
  }

  @Test
  void aDisconnectFailsEveryOpenWaitButKeepsTheHandleRegistered() {
    connectAs("alice");
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> a = handle.waitForSync();
    CompletableFuture<WriteCheckpoint> b = handle.waitForSync();
    connection.disconnect();
    assertThatThrownBy(a::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThatThrownBy(b::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThat(handle.openWaits()).isZero();
    assertThat(f.client.status().waiterCount()).isEqualTo(1);
    assertThat(handle.hasSynced()).isFalse();
  }
}
