package io.checkpoints.e2e;

import static io.checkpoints.e2e.World.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client flow against the service's real wire format: the HTTP transport and the sync-stream
 * reader talk to a loopback server in front of the simulated service; the domain runs on SQLite.
 */
class CheckpointRequestsEndToEndTest {

  @TempDir
  Path directory;

  private static CheckpointRequestId id(long value) {
    return CheckpointRequestId.of(value);
  }

  @Test
  void aSeedAnsweredWithAHigherIdContinuesAboveIt() throws Exception {
    try (World world = new World(directory, Duration.ZERO)) {
      world.service.acceptCheckpointRequest("u1", new CheckpointRequest(World.CLIENT, id(42)));
      assertThat(await(world.connect("u1", false))).as("the initial request posts 1, the service answers 42")
          .isEqualTo(id(42));
      CheckpointHandle handle = await(world.connection().requestCheckpoint());
      assertThat(handle.id()).isEqualTo(id(43));
      assertThat(world.storedId()).isEqualTo(id(43));
      assertThat(await(handle.waitForSync())).isEqualTo(WriteCheckpoint.of(43));
    }
  }

  @Test
  void aServiceWithoutCheckpointRequestsFailsTheSeedAndEveryRequest() throws Exception {
    try (World world = new World(directory, Duration.ZERO)) {
      world.service.setCheckpointRequestsSupported(false);
      CompletableFuture<CheckpointRequestId> seeded = world.connect("u1", false);
      assertThatThrownBy(() -> await(seeded)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(CheckpointWaitException.NotSupported.class);
      assertThatThrownBy(() -> await(world.connection().requestCheckpoint()))
          .hasCauseInstanceOf(CheckpointWaitException.NotSupported.class);
      assertThat(world.clock.pendingTasks()).as("nothing is reposted").isZero();
    }
  }

  @Test
  void underLagAWaiterIsResolvedByTheNewerIdThatReplacedItsOwn() throws Exception {
    try (World world = new World(directory, Duration.ofSeconds(5))) {
      await(world.connect("u1", false));
      CheckpointHandle older = await(world.connection().requestCheckpoint());
      CheckpointHandle newer = await(world.connection().requestCheckpoint());
      assertThat(newer.id()).isEqualTo(id(older.id().value() + 1));
      CompletableFuture<WriteCheckpoint> waiting = older.waitForSync();
      world.clock.advance(Duration.ofSeconds(5));
      assertThat(await(waiting)).as("acknowledged only as the newer id").isEqualTo(WriteCheckpoint.of(newer.id().value()));
      assertThat(newer.hasSynced()).isTrue();
    }
  }

  @Test
  void aWaitFailsOnDisconnectAndSucceedsAfterReconnecting() throws Exception {
    try (World world = new World(directory, Duration.ofSeconds(5))) {
      await(world.connect("u1", false));
      CheckpointHandle handle = await(world.connection().requestCheckpoint());
      CompletableFuture<WriteCheckpoint> first = handle.waitForSync();
      world.disconnect();
      assertThatThrownBy(() -> await(first)).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);

      await(world.connect("u1", false));
      CompletableFuture<WriteCheckpoint> second = handle.waitForSync();
      world.clock.advance(Duration.ofSeconds(5));
      assertThat(await(second).acknowledges(handle.id())).isTrue();
    }
  }

  @Test
  void anUnacknowledgedRequestIsRepostedUntilAppliedAndThenNoMore() throws Exception {
    try (World world = new World(directory, Duration.ofSeconds(30))) {
      await(world.connect("u1", false));
      CheckpointHandle handle = await(world.connection().requestCheckpoint());
      world.service.forget("u1", World.CLIENT); // the service lost the record
      assertThat(world.service.storedId("u1", World.CLIENT)).isEmpty();

      world.clock.advance(Duration.ofSeconds(10));
      awaitStored(world, handle.id());
      CompletableFuture<WriteCheckpoint> synced = handle.waitForSync();
      world.clock.advance(Duration.ofSeconds(30));
      assertThat(await(synced)).isEqualTo(WriteCheckpoint.of(handle.id().value()));

      // Reposts are sent by the timer on this thread while the clock advances, so counting the
      // sends is exact (a repost sent just before the acknowledgement may still be in flight).
      int sent = world.posts();
      world.clock.advance(Duration.ofMinutes(2));
      assertThat(world.connection().awaitedId()).isEmpty();
      assertThat(world.posts()).as("no repost once applied").isEqualTo(sent);
    }
  }

  @Test
  void aUserSwitchAfterTokenExpiryReSeedsWithTheLocalMaximum() throws Exception {
    try (World world = new World(directory, Duration.ZERO)) {
      await(world.connect("alice", false));
      CheckpointHandle handle = null;
      for (int i = 0; i < 4; i++) {
        handle = await(world.connection().requestCheckpoint());
      }
      assertThat(handle.id()).isEqualTo(id(5));
      world.service.disconnectStreams("alice"); // token expiry ends the stream and the iteration
      awaitDisconnected(world);

      assertThat(await(world.connect("bob", false))).as("bob's first request continues the local counter")
          .isEqualTo(id(5));
      assertThat(world.service.storedId("bob", World.CLIENT)).contains(id(5));
    }
  }

  /** Alice's ids 1 to 4, then a hard clear once the service's record of them expired. */
  private static void fourIdsThenAClearAfterTheRecordExpired(World world, boolean withUser)
      throws Exception {
    await(world.connect("alice", withUser));
    for (int i = 0; i < 4; i++) {
      await(world.connection().requestCheckpoint());
    }
    world.disconnect();
    world.client.clear(ClearFlags.HARD);
    world.clock.advance(Duration.ofMinutes(61));
    world.service.compact();
    assertThat(world.service.storedId("alice", World.CLIENT)).as("the record expired").isEmpty();
  }

  @Test
  void withAUserSequenceAClearNeverSendsALowerIdEvenAfterTheRecordExpired() throws Exception {
    try (World world = new World(directory, Duration.ZERO)) {
      fourIdsThenAClearAfterTheRecordExpired(world, true);

      assertThat(await(world.connect("alice", true))).isEqualTo(id(5));
      assertThat(await(world.connection().requestCheckpoint()).id()).isEqualTo(id(6));
    }
  }

  @Test
  void withoutAUserAClearRestartsAtOneLikeTheReference() throws Exception {
    try (World world = new World(directory, Duration.ZERO)) {
      fourIdsThenAClearAfterTheRecordExpired(world, false);

      assertThat(await(world.connect("alice", false))).isEqualTo(id(1));
    }
  }

  /** The repost travels over real HTTP: wait (bounded) until the service has it. */
  private static void awaitStored(World world, CheckpointRequestId id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!world.service.storedId("u1", World.CLIENT).map(id::equals).orElse(false)) {
      assertThat(System.nanoTime()).as("the repost of %s reached the service", id).isLessThan(deadline);
      LockSupport.parkNanos(1_000_000); // the service offers no hook for "stored": poll, bounded
    }
  }

  private static void awaitDisconnected(World world) throws Exception {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    world.client.status().addStatusListener(status -> {
      if (!status.connected() && !status.connecting()) {
        ended.complete(null);
      }
    });
    if (world.client.isIterationActive()) {
      await(ended);
    }
  }
}
