package io.checkpoints.domain;

import io.checkpoints.testkit.support.CapturedLog;
import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The client-flow findings of the audit, each reproduced: waiters of another clear, connection or
 * user, and failures that never reached the caller.
 */
class EpochsAndFailuresTest {

  private final ConnectionFixture fixture = new ConnectionFixture();
  private final Fixture f = fixture.f;
  private final ScriptedTransport transport = fixture.transport;
  private final SyncConnection connection = fixture.connection;

  @Test
  void aRequestAfterAHardClearIsNotSyncedByACheckpointAppliedBeforeTheClear() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(99);
    assertThat(fixture.requestAndAccept(0).id()).isEqualTo(id(100));
    f.fullCheckpoint("1", 100L);
    f.client.clear(ClearFlags.HARD);
    assertThat(f.client.status().snapshot().lastAppliedCheckpointRequestId())
        .as("the status forgets what was applied before the clear").isEmpty();

    CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
    assertThat(transport.postedIds()).as("the re-seed posts 1").endsWith(1L);
    transport.accept(); // the service's record expired: it answers 1
    transport.accept();
    CheckpointHandle afterClear = request.join();
    assertThat(afterClear.id()).isEqualTo(id(2));

    CompletableFuture<WriteCheckpoint> wait = afterClear.waitForSync();
    CompletableFuture<WriteCheckpoint> status = f.client.status().awaitApplied(id(2));
    assertThat(wait).isNotDone();
    assertThat(status).isNotDone();
    f.fullCheckpoint("2", 2L);
    assertThat(wait).isCompletedWithValue(WriteCheckpoint.of(2));
    assertThat(status).isCompletedWithValue(WriteCheckpoint.of(2));
  }

  @Test
  void a404ForARequestOfAnEndedConnectionChangesNothing() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(10);
    CompletableFuture<CheckpointHandle> old = connection.requestCheckpoint();
    ScriptedTransport.Call oldPost = transport.next(); // 11, unanswered
    connection.disconnect();
    assertThat(old).as("the caller learns at the disconnect").isCompletedExceptionally();
    assertThatThrownBy(old::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);

    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(20);
    CheckpointHandle fresh = fixture.requestAndAccept(0);
    assertThat(fresh.id()).isEqualTo(id(21));
    CompletableFuture<WriteCheckpoint> wait = fresh.waitForSync();

    oldPost.answer().completeExceptionally(new CheckpointTransportException.NotSupported("404"));
    assertThat(wait).isNotDone();
    assertThat(f.client.status().snapshot().lastFailure()).isEmpty();
    CompletableFuture<CheckpointHandle> next = connection.requestCheckpoint();
    transport.accept();
    assertThat(next.join().id()).isEqualTo(id(22));
    f.fullCheckpoint("1", 22L);
    assertThat(wait).isCompletedWithValue(WriteCheckpoint.of(22));
  }

  @Test
  void aSuccessfulAnswerOfAnEndedConnectionIsDroppedToo() {
    connection.connect(CheckpointMode.REQUESTS);
    ScriptedTransport.Call seed = transport.next();
    connection.disconnect();
    connection.connect(CheckpointMode.REQUESTS);
    seed.answer().complete(id(500));
    transport.accept(7);
    assertThat(f.counter()).contains(id(7));
  }

  @Test
  void oneUsersHandleIsNotSyncedByAnotherUsersCheckpoint() {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice"));
    transport.accept(1);
    CheckpointHandle alices = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> statusWait = f.client.status().awaitApplied(id(2));
    connection.disconnect();

    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("bob"));
    transport.accept(50);
    f.fullCheckpoint("1", 50L);
    assertThat(alices.hasSynced()).isFalse();
    assertThatThrownBy(() -> alices.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.UserSwitched.class);
    assertThatThrownBy(statusWait::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
  }

  @Test
  void aSwitchFromAKnownUserToNoneAndBackEndsTheEpochEachTime() {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice"));
    transport.accept(1);
    CheckpointHandle alices = fixture.requestAndAccept(0);
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(3);
    CheckpointHandle nobodys = fixture.requestAndAccept(0);
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice"));
    transport.accept(9);
    f.fullCheckpoint("1", 100L);
    assertThatThrownBy(() -> alices.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.UserSwitched.class);
    assertThatThrownBy(() -> nobodys.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.UserSwitched.class);
  }

  @Test
  void aHandleOfTheSameUserSurvivesAReconnect() {
    UserKey alice = UserKey.forUserId("alice");
    connection.connect(CheckpointMode.REQUESTS, alice);
    transport.accept(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    CompletableFuture<WriteCheckpoint> openAtDisconnect = handle.waitForSync();
    connection.disconnect();
    assertThatThrownBy(openAtDisconnect::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    connection.connect(CheckpointMode.REQUESTS, alice);
    transport.accept(2);
    CompletableFuture<WriteCheckpoint> afterReconnect = handle.waitForSync();
    f.fullCheckpoint("1", 2L);
    assertThat(afterReconnect).isCompletedWithValue(WriteCheckpoint.of(2));
  }

  @Test
  void aRequestUnderWayAcrossAHardClearFailsWithCleared() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(5);
    CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
    f.client.clear(ClearFlags.HARD);
    transport.accept();
    assertThatThrownBy(request::join).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
    assertThat(f.client.status().waiterCount()).isZero();
  }

  @Test
  void aRetriedFailureShowsAtOnceInTheStatusItsListenersAndTheLogOncePerCause() {
    List<SyncStatusSnapshot> seen = new ArrayList<>();
    f.client.status().addStatusListener(seen::add);
    try (CapturedLog log = new CapturedLog(SyncStatus.class)) {
      aRetriedFailureShows(seen, log.records());
    }
  }

  private void aRetriedFailureShows(List<SyncStatusSnapshot> seen, List<LogRecord> logged) {
    CompletableFuture<CheckpointRequestId> connected = connection.connect(CheckpointMode.REQUESTS);
    transport.fail(new CheckpointTransportException.Unreachable("connection refused", null));

    SyncStatusSnapshot status = f.client.status().snapshot();
    assertThat(status.connecting()).isTrue();
    assertThat(status.connected()).isFalse();
    assertThat(status.lastFailure()).hasValueSatisfying(failure -> {
      assertThat(failure.error()).isInstanceOf(CheckpointTransportException.Unreachable.class);
      assertThat(failure.at()).isEqualTo(f.scheduler.wallTime());
    });
    assertThat(seen.get(seen.size() - 1)).isEqualTo(status);
    assertThat(connected).as("retrying: the future stays pending").isNotDone();

    f.scheduler.advance(Duration.ofSeconds(1));
    transport.fail(new CheckpointTransportException.Unreachable("connection refused", null));
    assertThat(logged).as("one warning per distinct cause").hasSize(1);
    assertThat(logged.get(0).getMessage()).contains("connection refused");

    f.scheduler.advance(Duration.ofSeconds(2));
    transport.accept(4);
    assertThat(connected).isCompletedWithValue(id(4));
    assertThat(f.client.status().snapshot().lastFailure()).as("recovered").isEmpty();
  }

  @Test
  void aSecondUnauthorizedInARowFailsTheConnectFuture() {
    CompletableFuture<CheckpointRequestId> connected = connection.connect(CheckpointMode.REQUESTS);
    transport.fail(new CheckpointTransportException.Unauthorized("401: token expired"));
    f.scheduler.advance(Duration.ZERO);
    assertThat(transport.unanswered).as("retried at once with fresh credentials").hasSize(1);
    transport.fail(new CheckpointTransportException.Unauthorized("401: token expired"));
    assertThatThrownBy(connected::join).hasCauseInstanceOf(CheckpointTransportException.Unauthorized.class);
    assertThat(f.client.status().snapshot().lastFailure().orElseThrow().error())
        .isInstanceOf(CheckpointTransportException.Unauthorized.class);
    assertThatThrownBy(() -> connection.requestCheckpoint().join())
        .hasCauseInstanceOf(CheckpointTransportException.Unauthorized.class);
  }

  @Test
  void aSeedTimeoutNamesTheFailureThatIsBeingRetried() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.fail(new CheckpointTransportException.ServerError(503, "503: storage unavailable"));
    CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
    f.scheduler.advance(Duration.ofSeconds(30));
    assertThatThrownBy(request::join).hasCauseInstanceOf(CheckpointStateException.class)
        .hasMessageContaining("503: storage unavailable");
  }

  @Test
  void closingTheClientFailsEveryHandleForGood() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(1);
    CheckpointHandle handle = fixture.requestAndAccept(0);
    f.client.close();
    assertThatThrownBy(() -> handle.waitForSync().join())
        .hasCauseInstanceOf(CheckpointWaitException.Closed.class);
    connection.close();
    assertThatThrownBy(() -> connection.connect(CheckpointMode.REQUESTS).join())
        .hasCauseInstanceOf(CheckpointWaitException.Closed.class);
  }

  @Test
  void aWriteCheckpointAnsweredAfterAClearChangesNothingOfTheNewEpoch() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(5);
    f.write("a");
    CompletableFuture<Void> upload = connection.nextUploadBatch(10).orElseThrow().complete();
    ScriptedTransport.Call writeCheckpoint = transport.next(); // 6, held back
    f.client.clear(ClearFlags.HARD);
    CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
    transport.accept(1); // the re-seed after the clear
    transport.accept(); // the new request: 2
    assertThat(connection.awaitedId()).contains(id(2));

    writeCheckpoint.answer().complete(id(6));
    assertThatThrownBy(upload::join).hasCauseInstanceOf(CheckpointWaitException.Cleared.class);
    assertThat(connection.awaitedId()).as("the old epoch's answer does not replace it").contains(id(2));
    assertThat(f.target()).isEmpty();
    assertThat(request.join().id()).isEqualTo(id(2));
  }

  @Test
  void aRetryOfAWriteCheckpointAllocatedBeforeAClearIsNotPostedAfterIt() {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(1);
    f.write("a");
    connection.nextUploadBatch(10).orElseThrow().complete();
    transport.fail(new CheckpointTransportException.ServerError(503, "503")); // 2, retried in 1 s
    f.client.clear(ClearFlags.HARD);
    f.scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.postedIds()).as("2 is not posted again after the clear").containsExactly(1L, 2L);
  }

  @Test
  void anUnansweredInitialRequestStillRaisesTheUsersSequence() {
    UserKey alice = UserKey.forUserId("alice");
    UserKey bob = UserKey.forUserId("bob");
    connection.connect(CheckpointMode.REQUESTS, alice);
    transport.accept(2);
    connection.connect(CheckpointMode.REQUESTS, bob);
    assertThat(transport.next().request().id()).as("bob's first initial request").isEqualTo(id(2));
    connection.disconnect();
    f.client.clear(ClearFlags.of(ClearFlags.SOFT_BIT));
    connection.connect(CheckpointMode.REQUESTS, bob);
    assertThat(transport.next().request().id()).as("bob's ids never go backwards").isEqualTo(id(2));
  }

  @Test
  void aUserSwitchForgetsWhatThePreviousUserSaw() {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice"));
    transport.accept(1);
    f.fullCheckpoint("1", 7L);
    assertThat(f.lastSeen()).contains(WriteCheckpoint.of(7));
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("bob"));
    assertThat(f.lastSeen()).as("bob's requests are not acknowledged by alice's checkpoints").isEmpty();
    assertThat(f.lastApplied()).isEmpty();
  }

  @Test
  void aUserSwitchArmsTheGateAgainInsteadOfThePreviousUsersConcreteTarget() {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice"));
    transport.accept(1);
    f.write("k0");
    connection.nextUploadBatch(10).orElseThrow().complete();
    transport.accept(); // 2: alice's target
    assertThat(f.target()).contains(id(2));
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("bob"));
    assertThat(f.target()).as("bob's record may hold 2 at an older position").contains(CheckpointRequestId.MAX);
    transport.accept(1); // bob's seed
    assertThat(transport.postedIds()).as("a write checkpoint for bob follows the seed").endsWith(3L);
    transport.accept();
    assertThat(f.target()).contains(id(3));
  }

  @Test
  void aConnectRequestsTheWriteCheckpointThatAnOfflineUploadCouldNotRequest() {
    f.write("a");
    CompletableFuture<Void> offline = connection.nextUploadBatch(10).orElseThrow().complete();
    assertThat(offline).isCompletedExceptionally();
    assertThat(f.target()).contains(CheckpointRequestId.MAX);
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(4);
    assertThat(transport.postedIds()).as("the write checkpoint follows the seed").containsExactly(1L, 5L);
    transport.accept();
    assertThat(f.target()).contains(id(5));
    f.fullCheckpoint("1", 5L);
    assertThat(f.lastApplied()).contains(WriteCheckpoint.of(5));
  }

  @Test
  void anIterationEndedByTheStreamEndsTheConnectionsPendingCalls() {
    connection.connect(CheckpointMode.REQUESTS);
    CompletableFuture<CheckpointHandle> waitingForTheSeed = connection.requestCheckpoint();
    assertThatThrownBy(() -> f.client.handleLine(Fixture.diff("1", null)));
    assertThat(waitingForTheSeed).isCompletedExceptionally();
    assertThatThrownBy(waitingForTheSeed::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class)
        .hasMessageContaining("checkpoint_diff");
    CompletableFuture<CheckpointHandle> later = connection.requestCheckpoint();
    assertThatThrownBy(later::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    f.write("a");
    CompletableFuture<Void> upload = connection.nextUploadBatch(1).orElseThrow().complete();
    assertThatThrownBy(upload::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
  }
}
