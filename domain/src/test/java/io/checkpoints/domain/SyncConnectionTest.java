package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.applied;
import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SyncConnectionTest {

  private final ConnectionFixture fixture = new ConnectionFixture();
  private final Fixture f = fixture.f;
  private final ScriptedTransport transport = fixture.transport;
  private final SyncConnection connection = fixture.connection;

  private void connectAndSeed(long serviceAnswer) {
    CompletableFuture<CheckpointRequestId> seeded = connection.connect(CheckpointMode.REQUESTS);
    transport.accept(serviceAnswer);
    assertThat(seeded).isCompleted();
  }

  @Test
  void connectPostsTheInitialRequestAndSeedsWithTheAcceptedId() {
    CompletableFuture<CheckpointRequestId> seeded = connection.connect(CheckpointMode.REQUESTS);
    assertThat(transport.postedIds()).containsExactly(1L);
    assertThat(transport.posted.get(0).clientId().value()).isEqualTo("test-client");
    assertThat(seeded).isNotDone();
    transport.accept(42);
    assertThat(seeded).isCompletedWithValue(id(42));
    assertThat(f.counter()).contains(id(42));
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    assertThat(transport.postedIds()).containsExactly(1L, 43L);
    transport.accept();
    assertThat(handle.join().id()).isEqualTo(id(43));
  }

  @Test
  void linesAreHandledWhileTheSeedIsOutstanding() {
    connection.connect(CheckpointMode.REQUESTS);
    assertThat(f.fullCheckpoint("1", null)).containsExactly(applied(null));
    assertThat(f.client.status().snapshot().connected()).isTrue();
  }

  @Test
  void allocationWaitsForTheSeed() {
    connection.connect(CheckpointMode.REQUESTS);
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    assertThat(transport.postedIds()).as("nothing allocated before the seed").containsExactly(1L);
    transport.accept(7);
    assertThat(transport.postedIds()).containsExactly(1L, 8L);
    transport.accept();
    assertThat(handle.join().id()).isEqualTo(id(8));
  }

  @Test
  void allocationGivesUpWhenTheSeedDoesNotArriveInTime() {
    connection.connect(CheckpointMode.REQUESTS);
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    f.scheduler.advance(Duration.ofSeconds(30));
    assertThatThrownBy(handle::join).hasCauseInstanceOf(CheckpointStateException.class)
        .hasMessageContaining("did not answer the initial checkpoint request within PT30S");
    assertThat(f.counter()).isEmpty();
  }

  @Test
  void aHandleSyncsWhenAnAppliedIdAtLeastAsHighArrives() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(5);
    CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
    f.fullCheckpoint("1", 4L);
    assertThat(wait).isNotDone();
    assertThat(handle.hasSynced()).isFalse();
    f.fullCheckpoint("2", 6L);
    assertThat(wait).isCompletedWithValue(WriteCheckpoint.of(6));
    assertThat(handle.hasSynced()).isTrue();
    assertThat(handle.waitForSync()).isCompletedWithValue(WriteCheckpoint.of(6));
  }

  @Test
  void aHandleSyncsEvenWhenNobodyWaits() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    f.fullCheckpoint("1", 2L);
    connection.disconnect();
    assertThat(handle.hasSynced()).isTrue();
    assertThat(handle.waitForSync()).as("once synced stays synced").isCompletedWithValue(WriteCheckpoint.of(2));
  }

  @Test
  void aWaitFailsOnDisconnectAndSucceedsAfterReconnect() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> first = handle.waitForSync();
    connection.disconnect();
    assertThatThrownBy(first::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThatThrownBy(() -> handle.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    connectAndSeed(2);
    CompletableFuture<WriteCheckpoint> second = handle.waitForSync();
    f.fullCheckpoint("9", 2L);
    assertThat(second).isCompletedWithValue(WriteCheckpoint.of(2));
  }

  @Test
  void aWaitFailsWithTheSyncError() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
    assertThatThrownBy(() -> f.client.handleLine(Fixture.complete("1")));
    assertThatThrownBy(wait::join).hasCauseInstanceOf(CheckpointWaitException.SyncFailed.class);
  }

  @Test
  void anUploadFailureReportedByTheHostFailsWaitsAsASyncError() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
    f.client.abort(new IllegalStateException("upload rejected"));
    assertThatThrownBy(wait::join).hasCauseInstanceOf(CheckpointWaitException.SyncFailed.class)
        .hasMessageContaining("upload rejected");
  }

  @Test
  void aClearFailsOpenHandlesForGood() {
    connectAndSeed(1);
    CheckpointHandle waiting = fixture.requestAndAccept(0);
    CheckpointHandle idle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> wait = waiting.waitForSync();
    f.client.clear(ClearFlags.HARD);
    assertThatThrownBy(wait::join).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
    assertThatThrownBy(() -> idle.waitForSync().join()).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
    f.fullCheckpoint("1", 100L);
    assertThatThrownBy(() -> waiting.waitForSync().join()).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
  }

  @Test
  void aWaitTimesOutAndCanBeCancelled() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> timed = handle.waitForSync(Duration.ofSeconds(3));
    CompletableFuture<WriteCheckpoint> cancelled = handle.waitForSync();
    cancelled.cancel(false);
    f.scheduler.advance(Duration.ofSeconds(3));
    assertThatThrownBy(timed::join).hasCauseInstanceOf(CheckpointWaitException.TimedOut.class);
    assertThatThrownBy(cancelled::join).isInstanceOf(CancellationException.class);
    assertThat(f.client.status().waiterCount()).as("only the handle itself still watches").isEqualTo(1);
    assertThat(handle.hasSynced()).isFalse();
  }

  @Test
  void requestCheckpointInLegacyModeFails() {
    assertThat(connection.connect(CheckpointMode.LEGACY)).isCompletedWithValue(null);
    assertThatThrownBy(() -> connection.requestCheckpoint().join())
        .hasCauseInstanceOf(CheckpointWaitException.LegacyMode.class);
    assertThat(transport.posted).isEmpty();
  }

  @Test
  void requestCheckpointWhileDisconnectedFails() {
    assertThatThrownBy(() -> connection.requestCheckpoint().join())
        .hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
  }

  @Test
  void aHandleWaitInLegacyModeFails() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    connection.connect(CheckpointMode.LEGACY);
    assertThatThrownBy(() -> handle.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.LegacyMode.class);
  }

  @Test
  void notFoundMeansNotSupported() {
    CompletableFuture<CheckpointRequestId> seeded = connection.connect(CheckpointMode.REQUESTS);
    transport.fail(new CheckpointTransportException.NotSupported("HTTP 404"));
    assertThatThrownBy(seeded::join).hasCauseInstanceOf(CheckpointWaitException.NotSupported.class);
    assertThatThrownBy(() -> connection.requestCheckpoint().join())
        .hasCauseInstanceOf(CheckpointWaitException.NotSupported.class);
    assertThat(f.scheduler.pendingTasks()).as("no reposting").isZero();
  }

  @Test
  void notFoundWhileRepostingFailsOpenHandlesAndStopsReposting() {
    connectAndSeed(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
    f.scheduler.advance(Duration.ofSeconds(10));
    transport.fail(new CheckpointTransportException.NotSupported("HTTP 404"));
    assertThatThrownBy(wait::join).hasCauseInstanceOf(CheckpointWaitException.NotSupported.class);
    int posts = transport.posted.size();
    f.scheduler.advance(Duration.ofMinutes(5));
    assertThat(transport.posted).hasSize(posts);
  }

  @Test
  void retryableFailuresAreRetriedWithExponentialBackOff() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.fail(new CheckpointTransportException.Overloaded("HTTP 429"));
    assertThat(transport.unanswered).isEmpty();
    f.scheduler.advance(Duration.ofMillis(999));
    assertThat(transport.unanswered).isEmpty();
    f.scheduler.advance(Duration.ofMillis(1));
    transport.fail(new CheckpointTransportException.ServerError(503, "HTTP 503"));
    f.scheduler.advance(Duration.ofMillis(1_999));
    assertThat(transport.unanswered).isEmpty();
    f.scheduler.advance(Duration.ofMillis(1));
    transport.fail(new CheckpointTransportException.Unauthorized("HTTP 401"));
    f.scheduler.advance(Duration.ofSeconds(4));
    transport.fail(new CheckpointTransportException.Unreachable("timeout", null));
    f.scheduler.advance(Duration.ofSeconds(8));
    transport.accept(3);
    assertThat(f.counter()).contains(id(3));
    assertThat(transport.postedIds()).containsExactly(1L, 1L, 1L, 1L, 1L);
  }

  @Test
  void aRejectedRequestIsNotRetried() {
    connectAndSeed(1);
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    transport.fail(new CheckpointRequestRejectedException("PSYNC_S2001", "invalid id"));
    assertThatThrownBy(handle::join).hasCauseInstanceOf(CheckpointRequestRejectedException.class);
    f.scheduler.advance(Duration.ofSeconds(9));
    assertThat(transport.unanswered).isEmpty();
  }

  @Test
  void anUnacknowledgedRequestIsRepostedEveryRetryDelayUntilApplied() {
    connectAndSeed(1);
    fixture.requestAndAccept(0); // id 2
    f.scheduler.advance(Duration.ofSeconds(9));
    assertThat(transport.postedIds()).containsExactly(1L, 2L);
    f.scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.postedIds()).containsExactly(1L, 2L, 2L);
    transport.accept();
    f.scheduler.advance(Duration.ofSeconds(10));
    assertThat(transport.postedIds()).containsExactly(1L, 2L, 2L, 2L);
    transport.accept();
    f.fullCheckpoint("1", 2L);
    f.scheduler.advance(Duration.ofMinutes(1));
    assertThat(transport.postedIds()).as("stops once applied").containsExactly(1L, 2L, 2L, 2L);
    assertThat(connection.awaitedId()).isEmpty();
  }

  @Test
  void aNewerRequestRestartsTheRepostLoopWithItsId() {
    connectAndSeed(1);
    fixture.requestAndAccept(0); // 2
    f.scheduler.advance(Duration.ofSeconds(6));
    fixture.requestAndAccept(0); // 3
    f.scheduler.advance(Duration.ofSeconds(6));
    assertThat(transport.postedIds()).as("the timer restarted at the newer id").containsExactly(1L, 2L, 3L);
    f.scheduler.advance(Duration.ofSeconds(4));
    assertThat(transport.postedIds()).containsExactly(1L, 2L, 3L, 3L);
  }

  @Test
  void theRetryDelayCannotBeShorterThanTenSeconds() {
    assertThatThrownBy(() -> SyncConnection.builder(f.client, transport).retryDelay(Duration.ofSeconds(9)))
        .isInstanceOf(CheckpointArgumentException.class);
    SyncConnection.builder(f.client, transport).retryDelay(Duration.ofSeconds(10)).build();
  }

  @Test
  void requestCheckpointCanBeCancelledWhileRetrying() {
    connectAndSeed(1);
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    transport.fail(new CheckpointTransportException.Overloaded("HTTP 429"));
    handle.cancel(false);
    f.scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.unanswered).as("no further attempt").isEmpty();
  }

  @Test
  void theUploadFlowAdoptsTheAcceptedIdAndRetriesThePendingCheckpoint() {
    connectAndSeed(41);
    f.write("a");
    assertThat(f.fullCheckpoint("1", 40L)).containsExactly(io.checkpoints.domain.LineOutcome.HELD);
    CompletableFuture<Void> done = connection.nextUploadBatch(10).orElseThrow().complete();
    assertThat(transport.postedIds()).containsExactly(1L, 42L);
    transport.accept(50);
    assertThat(f.target()).contains(id(50));
    assertThat(done).isCompleted();
    assertThat(f.client.barrier().pendingCheckpointLastOpId()).as("older than the target: stays pending").contains("1");
    assertThat(f.fullCheckpoint("2", 50L)).containsExactly(applied(50L));
  }

  @Test
  void theLegacyUploadFlowUsesTheLegacyWriteCheckpoint() {
    connection.connect(CheckpointMode.LEGACY);
    f.write("a");
    CompletableFuture<Void> done = connection.nextUploadBatch(10).orElseThrow().complete();
    transport.legacyCalls.poll().complete(WriteCheckpoint.of(7));
    assertThat(done).isDone();
    assertThat(f.target()).contains(id(7));
    assertThat(transport.posted).isEmpty();
  }

  @Test
  void aNonPositiveLegacyWriteCheckpointIsAMalformedResponse() {
    connection.connect(CheckpointMode.LEGACY);
    f.write("a");
    CompletableFuture<Void> done = connection.nextUploadBatch(1).orElseThrow().complete();
    transport.legacyCalls.poll().complete(WriteCheckpoint.of(0));
    assertThatThrownBy(done::join).hasCauseInstanceOf(CheckpointTransportException.MalformedResponse.class);
  }

  @Test
  void reconnectingWithAUserReSeedsWithTheLocalMaximum() {
    UserKey user = UserKey.forUserId("u1");
    connection.connect(CheckpointMode.REQUESTS, user);
    transport.accept(10);
    fixture.requestAndAccept(0); // 11
    connection.disconnect();
    f.client.clear(ClearFlags.HARD);
    connection.connect(CheckpointMode.REQUESTS, user);
    assertThat(transport.postedIds()).as("never lower for the same user").containsExactly(1L, 11L, 11L);
  }

  @Test
  void anAnswerForAnEarlierConnectionDoesNotSeedTheNewOne() {
    connection.connect(CheckpointMode.REQUESTS);
    CompletableFuture<CheckpointRequestId> second = connection.connect(CheckpointMode.REQUESTS);
    transport.accept(99); // the first connection's answer arrives late
    assertThat(f.counter()).isEmpty();
    transport.accept(5);
    assertThat(second).isCompletedWithValue(id(5));
  }
}
