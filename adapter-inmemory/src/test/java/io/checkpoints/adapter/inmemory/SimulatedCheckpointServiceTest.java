package io.checkpoints.adapter.inmemory;

import io.checkpoints.testkit.support.CapturedLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointService.StreamSubscription;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimulatedCheckpointServiceTest {

  private static final String ALICE = "alice";
  private static final String BOB = "bob";
  private static final ClientId PHONE = ClientId.of("phone");
  private static final ClientId LAPTOP = ClientId.of("laptop");

  private final ManualScheduler scheduler = ManualScheduler.create();
  private final SimulatedCheckpointService service = SimulatedCheckpointService.create(scheduler);

  private static CheckpointRequest request(ClientId client, long id) {
    return new CheckpointRequest(client, CheckpointRequestId.of(id));
  }

  private long post(SimulatedCheckpointService on, String user, ClientId client, long id) {
    return on.acceptCheckpointRequest(user, request(client, id)).value();
  }

  private long post(String user, ClientId client, long id) {
    return post(service, user, client, id);
  }

  private static SyncLine checkpoint(long opId, Long writeCheckpoint) {
    return new SyncLine.Checkpoint(Long.toString(opId),
        Optional.ofNullable(writeCheckpoint).map(WriteCheckpoint::of));
  }

  private static SyncLine complete(long opId) {
    return new SyncLine.CheckpointComplete(Long.toString(opId));
  }

  /** A sink that records lines; thread-safe because the service may call it from any thread. */
  private static final class RecordingSink implements java.util.function.Consumer<SyncLine> {
    final List<SyncLine> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void accept(SyncLine line) {
      lines.add(line);
    }

    List<SyncLine> drain() {
      synchronized (lines) {
        List<SyncLine> copy = List.copyOf(lines);
        lines.clear();
        return copy;
      }
    }

    List<Optional<WriteCheckpoint>> writeCheckpoints() {
      synchronized (lines) {
        List<Optional<WriteCheckpoint>> result = new ArrayList<>();
        for (SyncLine line : lines) {
          if (line instanceof SyncLine.Checkpoint) {
            result.add(((SyncLine.Checkpoint) line).writeCheckpoint());
          }
        }
        return result;
      }
    }
  }

  /** Real credentials for the in-process transport that count invalidations. */
  private static final class CountingCredentials implements Credentials {
    volatile String token;
    final AtomicInteger invalidations = new AtomicInteger();

    CountingCredentials(String token) {
      this.token = token;
    }

    @Override
    public CompletableFuture<String> token() {
      return token == null
          ? CompletableFuture.failedFuture(new IllegalStateException("signed out"))
          : CompletableFuture.completedFuture(token);
    }

    @Override
    public void invalidate() {
      invalidations.incrementAndGet();
    }
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    assertThat(future).isDone();
    return future.handle((value, failure) -> failure).join();
  }

  @Nested
  class Records {

    @Test
    void aFirstRequestIsStoredAndReturned() {
      assertThat(post(ALICE, PHONE, 42)).isEqualTo(42);
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
      assertThat(service.recordCount()).isEqualTo(1);
    }

    @Test
    void aGreaterIdReplacesTheStoredOne() {
      post(ALICE, PHONE, 42);
      assertThat(post(ALICE, PHONE, 43)).isEqualTo(43);
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(43));
    }

    @Test
    void anEqualIdIsReturnedUnchanged() {
      post(ALICE, PHONE, 42);
      assertThat(post(ALICE, PHONE, 42)).isEqualTo(42);
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
    }

    @Test
    void aLowerIdIsIgnoredAndTheStoredIdReturned() {
      post(ALICE, PHONE, 42);
      assertThat(post(ALICE, PHONE, 1)).isEqualTo(42);
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
    }

    @Test
    void theMaximumIdIsStored() {
      assertThat(post(ALICE, PHONE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
      assertThat(post(ALICE, PHONE, 5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void usersAndClientsHaveSeparateRecords() {
      post(ALICE, PHONE, 42);
      assertThat(post(ALICE, LAPTOP, 3)).isEqualTo(3);
      assertThat(post(BOB, PHONE, 7)).isEqualTo(7);
      assertThat(service.recordCount()).isEqualTo(3);
    }

    @Test
    void aSlashInAUserIdDoesNotCollideWithAnotherKey() {
      post("a/b", ClientId.of("c"), 9);
      assertThat(post("a", ClientId.of("b/c"), 2)).isEqualTo(2);
    }

    @Test
    void anEmptyUserIdIsAnArgumentError() {
      assertThatThrownBy(() -> post("", PHONE, 1))
          .isInstanceOf(CheckpointArgumentException.class)
          .hasMessageContaining("user id");
    }

    @Test
    void forgettingARecordLosesIt() {
      post(ALICE, PHONE, 42);
      assertThat(service.forget(ALICE, PHONE)).isTrue();
      assertThat(service.forget(ALICE, PHONE)).isFalse();
      assertThat(service.storedId(ALICE, PHONE)).isEmpty();
      assertThat(post(ALICE, PHONE, 1)).isEqualTo(1);
    }
  }

  @Nested
  class LegacyWriteCheckpoint {

    @Test
    void isOneWithoutARecord() {
      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(1));
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(1));
    }

    @Test
    void isTheStoredIdPlusOneAndStoresIt() {
      service.legacyWriteCheckpoint(ALICE, PHONE);
      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(2));
    }

    @Test
    void sharesTheIdWithCheckpointRequests() {
      post(ALICE, PHONE, 42);
      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(43));
      assertThat(post(ALICE, PHONE, 10)).isEqualTo(43);
      assertThat(post(ALICE, PHONE, 44)).isEqualTo(44);
    }

    @Test
    void failsWithAServerErrorAboveTheMaximum() {
      post(ALICE, PHONE, Long.MAX_VALUE);
      assertThatThrownBy(() -> service.legacyWriteCheckpoint(ALICE, PHONE))
          .isInstanceOfSatisfying(CheckpointTransportException.ServerError.class,
              e -> assertThat(e.status()).isEqualTo(500))
          .hasMessageContaining("9223372036854775807");
    }
  }

  @Nested
  class Expiry {

    @Test
    void aRecordOutlivesItsRetentionUntilTheServiceCompacts() {
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(61));
      assertThat(service.storedId(ALICE, PHONE)).isPresent();
      assertThat(service.compact()).isEqualTo(1);
      assertThat(service.storedId(ALICE, PHONE)).isEmpty();
      assertThat(post(ALICE, PHONE, 1)).isEqualTo(1);
    }

    @Test
    void compactionKeepsRecordsWithinTheirRetention() {
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(60).minusNanos(1));
      assertThat(service.compact()).isZero();
      scheduler.advance(Duration.ofNanos(1));
      assertThat(service.compact()).isEqualTo(1);
    }

    @Test
    void anEqualIdRefreshesTheExpiry() {
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(50));
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(50));
      assertThat(service.compact()).isZero();
      scheduler.advance(Duration.ofMinutes(10));
      assertThat(service.compact()).isEqualTo(1);
    }

    @Test
    void aLowerIdDoesNotRefreshTheExpiry() {
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(50));
      post(ALICE, PHONE, 41);
      scheduler.advance(Duration.ofMinutes(10));
      assertThat(service.compact()).isEqualTo(1);
    }

    @Test
    void aGreaterIdAndTheLegacyEndpointRefreshTheExpiry() {
      post(ALICE, PHONE, 42);
      post(BOB, PHONE, 1);
      scheduler.advance(Duration.ofMinutes(50));
      post(ALICE, PHONE, 43);
      service.legacyWriteCheckpoint(BOB, PHONE);
      scheduler.advance(Duration.ofMinutes(50));
      assertThat(service.compact()).isZero();
    }

    @Test
    void theRetentionIsConfigurable() {
      SimulatedCheckpointService shortLived = SimulatedCheckpointService.builder(scheduler)
          .retention(Duration.ofSeconds(30))
          .build();
      post(shortLived, ALICE, PHONE, 5);
      scheduler.advance(Duration.ofSeconds(30));
      assertThat(shortLived.compact()).isEqualTo(1);
    }

    @Test
    void periodicCompactionRunsInSchedulerTimeUntilCancelled() {
      Scheduler.Cancellable periodic = service.compactEvery(Duration.ofMinutes(10));
      post(ALICE, PHONE, 42);
      scheduler.advance(Duration.ofMinutes(59));
      assertThat(service.recordCount()).isEqualTo(1);
      scheduler.advance(Duration.ofMinutes(1));
      assertThat(service.recordCount()).isZero();

      periodic.cancel();
      post(ALICE, PHONE, 1);
      scheduler.advance(Duration.ofHours(3));
      assertThat(service.recordCount()).isEqualTo(1);
      assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void invalidDurationsAreArgumentErrors() {
      assertThatThrownBy(() -> SimulatedCheckpointService.builder(scheduler).retention(Duration.ZERO))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> service.compactEvery(Duration.ZERO))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> service.setReplicationLag(Duration.ofSeconds(-1)))
          .isInstanceOf(CheckpointArgumentException.class);
    }
  }

  @Nested
  class Replication {

    private final SimulatedCheckpointService lagging = SimulatedCheckpointService.builder(scheduler)
        .replicationLag(Duration.ofSeconds(5))
        .build();

    @Test
    void withoutLagARequestIsAcknowledgedAtOnce() {
      post(ALICE, PHONE, 42);
      assertThat(service.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
    }

    @Test
    void aRequestIsAcknowledgedOnceReplicationPassesItsPosition() {
      post(lagging, ALICE, PHONE, 42);
      scheduler.advance(Duration.ofSeconds(5).minusNanos(1));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).isEmpty();
      scheduler.advance(Duration.ofNanos(1));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
    }

    @Test
    void aNewerRequestReplacesTheOlderOnesPositionSoTheOlderIsAcknowledgedOnlyAsTheNewer() {
      RecordingSink sink = new RecordingSink();
      lagging.openStream(ALICE, PHONE, sink);
      post(lagging, ALICE, PHONE, 5);
      scheduler.advance(Duration.ofSeconds(2));
      post(lagging, ALICE, PHONE, 6);

      scheduler.advance(Duration.ofSeconds(3));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).isEmpty();
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(6));
      assertThat(sink.writeCheckpoints())
          .containsExactly(Optional.empty(), Optional.of(WriteCheckpoint.of(6)));
    }

    @Test
    void anAcknowledgementStaysWhileANewerIdWaits() {
      post(lagging, ALICE, PHONE, 5);
      scheduler.advance(Duration.ofSeconds(5));
      post(lagging, ALICE, PHONE, 6);
      scheduler.advance(Duration.ofSeconds(4));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(5));
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(6));
    }

    @Test
    void replicationIsAPrefixAcrossKeys() {
      post(lagging, ALICE, PHONE, 5);
      lagging.setReplicationLag(Duration.ZERO);
      post(lagging, BOB, PHONE, 9);
      // Bob's later position replicated at once, and with it every earlier position.
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(5));
      assertThat(lagging.acknowledgedId(BOB, PHONE)).contains(CheckpointRequestId.of(9));
    }

    @Test
    void aLongerLagAppliesToLaterRequestsOnly() {
      post(lagging, ALICE, PHONE, 5);
      lagging.setReplicationLag(Duration.ofSeconds(60));
      assertThat(lagging.replicationLag()).isEqualTo(Duration.ofSeconds(60));
      post(lagging, BOB, PHONE, 9);
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).isPresent();
      assertThat(lagging.acknowledgedId(BOB, PHONE)).isEmpty();
      scheduler.advance(Duration.ofSeconds(55));
      assertThat(lagging.acknowledgedId(BOB, PHONE)).isPresent();
    }

    @Test
    void anEqualOrLowerIdDoesNotMoveThePosition() {
      post(lagging, ALICE, PHONE, 5);
      scheduler.advance(Duration.ofSeconds(3));
      post(lagging, ALICE, PHONE, 5);
      post(lagging, ALICE, PHONE, 4);
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(5));
    }

    @Test
    void aForgottenRecordIsNotAcknowledgedAndItsReplacementWaitsForItsOwnPosition() {
      post(lagging, ALICE, PHONE, 5);
      lagging.forget(ALICE, PHONE);
      scheduler.advance(Duration.ofSeconds(1));
      post(lagging, ALICE, PHONE, 2);
      scheduler.advance(Duration.ofSeconds(4));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).isEmpty();
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(lagging.acknowledgedId(ALICE, PHONE)).contains(CheckpointRequestId.of(2));
    }
  }

  @Nested
  class Streams {

    @Test
    void aNewStreamGetsTheCurrentCheckpointAtOnce() {
      RecordingSink sink = new RecordingSink();
      service.openStream(ALICE, PHONE, sink);
      assertThat(sink.drain()).containsExactly(checkpoint(1, null), complete(1));

      post(ALICE, PHONE, 42);
      RecordingSink second = new RecordingSink();
      service.openStream(ALICE, PHONE, second);
      assertThat(second.drain()).containsExactly(checkpoint(3, 42L), complete(3));
      assertThat(service.openStreamCount()).isEqualTo(2);
    }

    @Test
    void anAcknowledgementReachesOnlyThatClientsStreams() {
      RecordingSink phone = new RecordingSink();
      RecordingSink laptop = new RecordingSink();
      RecordingSink bobsPhone = new RecordingSink();
      service.openStream(ALICE, PHONE, phone);
      service.openStream(ALICE, LAPTOP, laptop);
      service.openStream(BOB, PHONE, bobsPhone);
      phone.drain();
      laptop.drain();
      bobsPhone.drain();

      post(ALICE, PHONE, 42);
      assertThat(phone.drain()).containsExactly(checkpoint(4, 42L), complete(4));
      assertThat(laptop.drain()).isEmpty();
      assertThat(bobsPhone.drain()).isEmpty();
    }

    @Test
    void anEqualOrLowerIdSendsNothing() {
      RecordingSink sink = new RecordingSink();
      service.openStream(ALICE, PHONE, sink);
      post(ALICE, PHONE, 42);
      sink.drain();
      post(ALICE, PHONE, 42);
      post(ALICE, PHONE, 3);
      assertThat(sink.drain()).isEmpty();
    }

    @Test
    void aPublishedCheckpointReachesEveryStreamWithItsOwnWriteCheckpoint() {
      RecordingSink phone = new RecordingSink();
      RecordingSink bob = new RecordingSink();
      post(ALICE, PHONE, 42);
      service.openStream(ALICE, PHONE, phone);
      service.openStream(BOB, PHONE, bob);
      phone.drain();
      bob.drain();

      long opId = service.publishCheckpoint();
      assertThat(opId).isEqualTo(3).isEqualTo(service.lastOpId());
      assertThat(phone.drain()).containsExactly(checkpoint(3, 42L), complete(3));
      assertThat(bob.drain()).containsExactly(checkpoint(3, null), complete(3));
    }

    @Test
    void lastOpIdsIncreaseOnEveryStream() {
      RecordingSink sink = new RecordingSink();
      service.openStream(ALICE, PHONE, sink);
      for (int i = 1; i <= 5; i++) {
        post(ALICE, PHONE, i);
        post(BOB, PHONE, i);
        service.publishCheckpoint();
      }
      List<Long> opIds = new ArrayList<>();
      for (SyncLine line : sink.drain()) {
        if (line instanceof SyncLine.Checkpoint) {
          opIds.add(Long.parseLong(((SyncLine.Checkpoint) line).lastOpId()));
        }
      }
      assertThat(opIds).hasSize(11).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aClosedStreamGetsNothingMore() {
      RecordingSink sink = new RecordingSink();
      StreamSubscription subscription = service.openStream(ALICE, PHONE, sink);
      sink.drain();
      subscription.close();
      subscription.close();
      post(ALICE, PHONE, 42);
      service.publishCheckpoint();
      assertThat(sink.drain()).isEmpty();
      assertThat(service.openStreamCount()).isZero();
    }

    @Test
    void aForgottenRecordLeavesTheWriteCheckpointOut() {
      RecordingSink sink = new RecordingSink();
      post(ALICE, PHONE, 42);
      service.openStream(ALICE, PHONE, sink);
      service.forget(ALICE, PHONE);
      service.publishCheckpoint();
      assertThat(sink.writeCheckpoints())
          .containsExactly(Optional.of(WriteCheckpoint.of(42)), Optional.empty());
    }

    @Test
    void disconnectingAUsersStreamsSendsTokenExpiryAndEndsThem() {
      RecordingSink alice = new RecordingSink();
      RecordingSink bob = new RecordingSink();
      service.openStream(ALICE, PHONE, alice);
      service.openStream(BOB, PHONE, bob);
      alice.drain();
      bob.drain();

      assertThat(service.disconnectStreams(ALICE)).isEqualTo(1);
      assertThat(alice.drain()).containsExactly(new SyncLine.TokenExpiresIn(0));
      service.publishCheckpoint();
      assertThat(alice.drain()).isEmpty();
      assertThat(bob.drain()).hasSize(2);
      assertThat(service.disconnectStreams()).isEqualTo(1);
      assertThat(service.openStreamCount()).isZero();
    }

    @Test
    void aSinkThatThrowsIsClosedAndTheServiceCarriesOn() {
      AtomicInteger calls = new AtomicInteger();
      try (CapturedLog log = new CapturedLog(SimulatedCheckpointService.class)) {
        service.openStream(ALICE, PHONE, line -> {
          if (calls.incrementAndGet() == 2) {
            throw new IllegalStateException("sink broke");
          }
        });
        assertThat(log.records()).singleElement().satisfies(record -> {
          assertThat(record.getLevel()).isEqualTo(Level.WARNING);
          assertThat(record.getMessage()).contains("alice/phone").contains("its sink failed");
          assertThat(record.getThrown()).hasMessage("sink broke");
        });
      }
      assertThat(calls).hasValue(2);
      assertThat(service.openStreamCount()).isZero();
      assertThat(post(ALICE, PHONE, 1)).isEqualTo(1);
      assertThat(calls).hasValue(2);
    }

    @Test
    void aSinkMayCallBackIntoTheServiceAndStillSeesLinesInOrder() {
      List<SyncLine> seen = new ArrayList<>();
      // The sink posts a greater id on each checkpoint: without lag that acknowledges at once and
      // queues a new checkpoint while the sink is still running; no deadlock, no reordering.
      service.openStream(ALICE, PHONE, line -> {
        seen.add(line);
        if (line instanceof SyncLine.Checkpoint && seen.size() < 6) {
          service.acceptCheckpointRequest(ALICE, request(PHONE, seen.size()));
        }
      });
      assertThat(seen).containsExactly(
          checkpoint(1, null), complete(1),
          checkpoint(2, 1L), complete(2),
          checkpoint(3, 3L), complete(3),
          checkpoint(4, 5L), complete(4));
    }
  }

  @Nested
  class Faults {

    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {401, 404, 429, 500, 503, 599})
    void aFailureFailsTheCallWithItsTypedExceptionAndChangesNothing(int status) {
      ServiceFault fault = status == 401 ? ServiceFault.unauthorized()
          : status == 404 ? ServiceFault.notSupported()
          : status == 429 ? ServiceFault.overloaded()
          : ServiceFault.serverError(status);
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, fault);
      Class<? extends CheckpointTransportException> expected = status == 401
          ? CheckpointTransportException.Unauthorized.class
          : status == 404 ? CheckpointTransportException.NotSupported.class
          : status == 429 ? CheckpointTransportException.Overloaded.class
          : CheckpointTransportException.ServerError.class;

      assertThatThrownBy(() -> post(ALICE, PHONE, 42)).isExactlyInstanceOf(expected);
      assertThat(service.storedId(ALICE, PHONE)).isEmpty();
      assertThat(post(ALICE, PHONE, 42)).isEqualTo(42);
    }

    @Test
    void aServerErrorCarriesItsStatus() {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1, ServiceFault.serverError(503));
      assertThatThrownBy(() -> service.legacyWriteCheckpoint(ALICE, PHONE))
          .isInstanceOfSatisfying(CheckpointTransportException.ServerError.class,
              e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void faultsApplyToTheNextCallsInOrderAndOnlyToTheirKind() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 2, ServiceFault.overloaded());
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.serverError(502));
      assertThat(service.pendingFaults(ServiceCall.CHECKPOINT_REQUEST)).isEqualTo(3);
      assertThat(service.pendingFaults(ServiceCall.LEGACY_WRITE_CHECKPOINT)).isZero();

      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(1));
      assertThatThrownBy(() -> post(ALICE, PHONE, 42))
          .isInstanceOf(CheckpointTransportException.Overloaded.class);
      assertThatThrownBy(() -> post(ALICE, PHONE, 42))
          .isInstanceOf(CheckpointTransportException.Overloaded.class);
      assertThatThrownBy(() -> post(ALICE, PHONE, 42))
          .isInstanceOf(CheckpointTransportException.ServerError.class);
      assertThat(post(ALICE, PHONE, 42)).isEqualTo(42);
      assertThat(service.pendingFaults(ServiceCall.CHECKPOINT_REQUEST)).isZero();
    }

    @Test
    void aFaultForEverCallsCanBeCleared() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, Integer.MAX_VALUE,
          ServiceFault.serverError(500));
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, Integer.MAX_VALUE,
          ServiceFault.overloaded());
      assertThat(service.pendingFaults(ServiceCall.CHECKPOINT_REQUEST))
          .isEqualTo(Integer.MAX_VALUE);
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> post(ALICE, PHONE, 1))
            .isInstanceOf(CheckpointTransportException.ServerError.class);
      }
      service.clearFaults();
      assertThat(post(ALICE, PHONE, 1)).isEqualTo(1);
    }

    @Test
    void aDelayedRequestReachesTheServiceLaterInSchedulerTime() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofSeconds(3)));
      CompletableFuture<CheckpointRequestId> delayed =
          service.acceptCheckpointRequestAsync(ALICE, request(PHONE, 5));
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(delayed).isNotDone();
      assertThat(service.storedId(ALICE, PHONE)).isEmpty();
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(delayed).isCompletedWithValue(CheckpointRequestId.of(5));
    }

    @Test
    void aDelayedOlderRequestArrivingAfterANewerOneIsIgnored() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofSeconds(3)));
      CompletableFuture<CheckpointRequestId> older =
          service.acceptCheckpointRequestAsync(ALICE, request(PHONE, 5));
      assertThat(post(ALICE, PHONE, 6)).isEqualTo(6);
      scheduler.advance(Duration.ofSeconds(3));
      assertThat(older).isCompletedWithValue(CheckpointRequestId.of(6));
    }

    @Test
    void aDroppedResponseFailsTheCallAlthoughTheServiceAcceptedTheRequest() {
      RecordingSink sink = new RecordingSink();
      service.openStream(ALICE, PHONE, sink);
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.dropResponse());
      assertThatThrownBy(() -> post(ALICE, PHONE, 42))
          .isInstanceOf(CheckpointTransportException.Unreachable.class)
          .hasMessageContaining("dropped");
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
      assertThat(sink.writeCheckpoints()).last().isEqualTo(Optional.of(WriteCheckpoint.of(42)));
    }

    @Test
    void aDroppedLegacyResponseStillAdvancesTheStoredId() {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1, ServiceFault.dropResponse());
      assertThatThrownBy(() -> service.legacyWriteCheckpoint(ALICE, PHONE))
          .isInstanceOf(CheckpointTransportException.Unreachable.class);
      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(2));
    }

    @Test
    void aStreamOpenCanFail() {
      service.injectFault(ServiceCall.OPEN_STREAM, 1, ServiceFault.unauthorized());
      RecordingSink sink = new RecordingSink();
      assertThatThrownBy(() -> service.openStream(ALICE, PHONE, sink))
          .isInstanceOf(CheckpointTransportException.Unauthorized.class);
      assertThat(sink.drain()).isEmpty();
      assertThat(service.openStreamCount()).isZero();
      service.openStream(ALICE, PHONE, sink);
      assertThat(sink.drain()).hasSize(2);
    }

    @Test
    void aStreamOpenCannotBeDelayedOrDropped() {
      assertThatThrownBy(() -> service.injectFault(ServiceCall.OPEN_STREAM, 1,
          ServiceFault.delay(Duration.ofSeconds(1))))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> service.injectFault(ServiceCall.OPEN_STREAM, 1,
          ServiceFault.dropResponse()))
          .isInstanceOf(CheckpointArgumentException.class);
    }

    @Test
    void invalidFaultsAreArgumentErrors() {
      assertThatThrownBy(() -> ServiceFault.serverError(499))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> new ServiceFault.Failure(400))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> ServiceFault.delay(Duration.ofMillis(-1)))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 0,
          ServiceFault.overloaded()))
          .isInstanceOf(CheckpointArgumentException.class);
    }

    @Test
    void aServiceWithoutCheckpointRequestsAnswers404ButServesTheRest() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.overloaded());
      service.setCheckpointRequestsSupported(false);
      assertThatThrownBy(() -> post(ALICE, PHONE, 1))
          .isInstanceOf(CheckpointTransportException.NotSupported.class);
      assertThat(service.legacyWriteCheckpoint(ALICE, PHONE)).isEqualTo(WriteCheckpoint.of(1));
      assertThat(service.pendingFaults(ServiceCall.CHECKPOINT_REQUEST)).isEqualTo(1);

      service.setCheckpointRequestsSupported(true);
      assertThatThrownBy(() -> post(ALICE, PHONE, 1))
          .isInstanceOf(CheckpointTransportException.Overloaded.class);
    }
  }

  @Nested
  class BlockingPort {

    @Test
    void aDelayedCallBlocksUntilAnotherThreadAdvancesTheScheduler() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofSeconds(3)));
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<CheckpointRequestId> answer = caller.submit(
            () -> service.acceptCheckpointRequest(ALICE, request(PHONE, 7)));
        awaitPendingTask();
        assertThat(answer.isDone()).isFalse();
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(CheckpointRequestId.of(7));
      } finally {
        caller.shutdownNow();
      }
    }

    @Test
    void anInterruptedWaitFailsAsUnreachable() throws Exception {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1,
          ServiceFault.delay(Duration.ofSeconds(3)));
      CompletableFuture<Throwable> failure = new CompletableFuture<>();
      Thread caller = new Thread(() -> {
        try {
          service.legacyWriteCheckpoint(ALICE, PHONE);
          failure.complete(null);
        } catch (RuntimeException e) {
          failure.complete(e);
        }
      });
      caller.start();
      awaitPendingTask();
      caller.interrupt();
      assertThat(failure.get(5, TimeUnit.SECONDS))
          .isInstanceOf(CheckpointTransportException.Unreachable.class)
          .hasMessageContaining("interrupted");
      caller.join(5_000);
    }

    /** Waits, without sleeping, until the other thread's call has scheduled its delay. */
    private void awaitPendingTask() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (scheduler.pendingTasks() == 0) {
        assertThat(System.nanoTime()).as("the call scheduled its delay").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
  }

  @Nested
  class InProcessTransport {

    private final CountingCredentials credentials = new CountingCredentials("alice");
    private final CheckpointRequestTransport transport =
        service.transport(credentials, Function.identity());

    @Test
    void postsAsTheUserOfTheToken() {
      assertThat(transport.postCheckpointRequest(request(PHONE, 42)))
          .isCompletedWithValue(CheckpointRequestId.of(42));
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(42));
      assertThat(transport.fetchLegacyWriteCheckpoint(PHONE))
          .isCompletedWithValue(WriteCheckpoint.of(43));
    }

    @Test
    void aDelayCompletesInSchedulerTime() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofSeconds(2)));
      CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(PHONE, 3));
      assertThat(answer).isNotDone();
      scheduler.advance(Duration.ofSeconds(2));
      assertThat(answer).isCompletedWithValue(CheckpointRequestId.of(3));
    }

    @Test
    void anInjected401FailsUnwrappedAndInvalidatesTheCredentials() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.unauthorized());
      assertThat(failureOf(transport.postCheckpointRequest(request(PHONE, 1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);
      assertThat(credentials.invalidations).hasValue(1);
    }

    @Test
    void otherFailuresDoNotInvalidateTheCredentials() {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1, ServiceFault.dropResponse());
      assertThat(failureOf(transport.fetchLegacyWriteCheckpoint(PHONE)))
          .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      assertThat(credentials.invalidations).hasValue(0);
    }

    @Test
    void aRefusedOrMissingTokenIsUnauthorized() {
      CheckpointRequestTransport refusing = service.transport(credentials, token -> {
        throw new IllegalArgumentException("unknown token");
      });
      assertThat(failureOf(refusing.postCheckpointRequest(request(PHONE, 1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);

      assertThat(credentials.invalidations).hasValue(1);

      credentials.token = null;
      assertThat(failureOf(transport.postCheckpointRequest(request(PHONE, 1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class)
          .hasMessageContaining("signed out");
      assertThat(credentials.invalidations).hasValue(1);
      assertThat(service.recordCount()).isZero();
    }

    @Test
    void aUserSwitchUsesTheNewUsersRecord() {
      transport.postCheckpointRequest(request(PHONE, 42));
      credentials.token = "bob";
      assertThat(transport.postCheckpointRequest(request(PHONE, 1)))
          .isCompletedWithValue(CheckpointRequestId.of(1));
    }
  }

  @Nested
  class Concurrency {

    @Test
    void concurrentRequestsKeepTheMaximumAndNeverAnswerBelowThePostedId() throws Exception {
      int threads = 8;
      int perThread = 500;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      RecordingSink sink = new RecordingSink();
      service.openStream(ALICE, PHONE, sink);
      try {
        for (int t = 0; t < threads; t++) {
          int offset = t;
          results.add(pool.submit(() -> {
            start.await();
            boolean ok = true;
            for (int i = 1; i <= perThread; i++) {
              long id = (long) i * threads + offset;
              ok &= post(ALICE, PHONE, id) >= id;
              service.publishCheckpoint();
            }
            return ok;
          }));
        }
        start.countDown();
        for (Future<Boolean> result : results) {
          assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      long max = (long) perThread * threads + threads - 1;
      assertThat(service.storedId(ALICE, PHONE)).contains(CheckpointRequestId.of(max));

      // Lines came from many threads, yet in state order: op ids strictly increase and the
      // acknowledged write checkpoint never goes back.
      List<Long> opIds = new ArrayList<>();
      List<Long> writeCheckpoints = new ArrayList<>();
      for (SyncLine line : sink.drain()) {
        if (line instanceof SyncLine.Checkpoint) {
          SyncLine.Checkpoint checkpoint = (SyncLine.Checkpoint) line;
          opIds.add(Long.parseLong(checkpoint.lastOpId()));
          checkpoint.writeCheckpoint().ifPresent(w -> writeCheckpoints.add(w.value()));
        }
      }
      assertThat(opIds).isSorted().doesNotHaveDuplicates();
      assertThat(writeCheckpoints).isSorted().last().isEqualTo(max);
    }
  }
}
