package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.UserKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointSequenceTest {

  private final Fixture f = new Fixture();
  private final SyncClient client = f.client;

  @Test
  void seedNeedsAnActiveIteration() {
    assertThatThrownBy(() -> client.sequence().seed(id(5)))
        .isInstanceOf(CheckpointStateException.class)
        .hasMessage("No iteration is active")
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.NO_ACTIVE_ITERATION);
    assertThat(f.counter()).isEmpty();
  }

  @Test
  void seedStoresTheIdVerbatimEvenWhenLower() {
    client.start(CheckpointMode.REQUESTS);
    assertThat(client.sequence().seed(id(41))).isEqualTo(id(41));
    assertThat(client.sequence().seed(id(5))).isEqualTo(id(5));
    assertThat(f.counter()).contains(id(5));
  }

  @Test
  void seedAndNextWorkInLegacyModeToo() {
    client.start(CheckpointMode.LEGACY);
    client.sequence().seed(id(1));
    assertThat(client.sequence().next()).isEqualTo(id(2));
  }

  @Test
  void nextIncrementsTheCounter() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(41));
    assertThat(client.sequence().next()).isEqualTo(id(42));
    assertThat(client.sequence().next()).isEqualTo(id(43));
    assertThat(f.counter()).contains(id(43));
  }

  @Test
  void nextNeedsAnActiveIteration() {
    assertThatThrownBy(() -> client.sequence().next())
        .isInstanceOf(CheckpointStateException.class)
        .hasMessage("No iteration is active");
  }

  @Test
  void nextJustBelowMaxReachesMax() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(Long.MAX_VALUE - 1));
    assertThat(client.sequence().next().isMax()).isTrue();
  }

  @Test
  void currentNeedsNoIterationAndNeverAllocates() {
    assertThat(client.sequence().current()).isEmpty();
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(7));
    client.stop();
    assertThat(client.sequence().current()).contains(id(7));
    assertThat(client.sequence().current()).contains(id(7));
  }

  @Test
  void initialRequestIsOneOnAnEmptyDatabase() {
    assertThat(client.start(CheckpointMode.REQUESTS))
        .contains(new CheckpointRequest(ClientId.of("test-client"), id(1)));
  }

  @Test
  void legacyStartHasNoInitialRequest() {
    assertThat(client.start(CheckpointMode.LEGACY)).isEmpty();
    assertThat(client.iterationMode()).contains(CheckpointMode.LEGACY);
  }

  @Test
  void initialRequestIsTheMaximumOfCounterAndConcreteTarget() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(41));
    client.barrier().setTarget(id(50));
    assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().id()).isEqualTo(id(50));
    client.barrier().setTarget(id(3));
    assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().id()).isEqualTo(id(41));
  }

  @Test
  void initialRequestIgnoresTheMaxTarget() {
    f.write("a");
    assertThat(f.target()).contains(id(Long.MAX_VALUE));
    assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().id()).isEqualTo(id(1));
  }

  @Test
  void startingWritesNothing() {
    client.start(CheckpointMode.REQUESTS);
    assertThat(f.counter()).isEmpty();
    assertThat(f.target()).isEmpty();
  }

  @Test
  void hardClearDuringAnIterationUnseedsTheCounter() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(10));
    client.clear(ClearFlags.HARD);
    assertThat(client.isIterationActive()).isTrue();
    assertThatThrownBy(() -> client.sequence().next())
        .isInstanceOf(CheckpointStateException.class)
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.NOT_SEEDED);
    client.sequence().seed(id(3));
    assertThat(client.sequence().next()).isEqualTo(id(4));
  }

  @Test
  void perUserSequenceIsRaisedBySeedAndNextAndNeverLowered() {
    UserKey user = UserKey.forUserId("user-1");
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(41));
    assertThat(client.sequence().userSequence(user)).contains(id(41));
    client.sequence().next();
    assertThat(client.sequence().userSequence(user)).contains(id(42));
    client.sequence().seed(id(5));
    assertThat(client.sequence().userSequence(user)).contains(id(42));
    assertThat(f.counter()).contains(id(5));
    assertThat(client.sequence().next()).as("max(counter, per-user) + 1").isEqualTo(id(43));
  }

  @Test
  void perUserSequenceTakesPartInTheInitialRequest() {
    UserKey user = UserKey.forUserId("user-1");
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(99));
    client.clear(ClearFlags.HARD);
    assertThat(client.start(CheckpointMode.REQUESTS, user).orElseThrow().id()).isEqualTo(id(99));
    assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().id())
        .as("without a user the reference's behaviour: the counter is gone")
        .isEqualTo(id(1));
    assertThat(client.start(CheckpointMode.REQUESTS, UserKey.forUserId("user-2")).orElseThrow().id())
        .as("another user's sequence does not leak")
        .isEqualTo(id(1));
  }

  @Test
  void perUserSequenceOverflowsAtMaxLikeTheCounter() {
    UserKey user = UserKey.forUserId("user-1");
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(Long.MAX_VALUE));
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(1));
    assertThatThrownBy(() -> client.sequence().next())
        .isInstanceOf(CheckpointStateException.class)
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.OVERFLOW);
    assertThat(f.counter()).contains(id(1));
  }

  @Test
  void onlyTheAdministrativeResetForgetsAUsersSequence() {
    UserKey user = UserKey.forUserId("user-1");
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(20));
    client.stop();
    client.clear(ClearFlags.of(ClearFlags.SOFT_BIT));
    assertThat(client.sequence().userSequence(user)).contains(id(20));
    assertThat(client.sequence().resetUserSequence(user)).isTrue();
    assertThat(client.sequence().resetUserSequence(user)).isFalse();
    assertThat(client.sequence().userSequence(user)).isEqualTo(Optional.empty());
    assertThat(client.start(CheckpointMode.REQUESTS, user).orElseThrow().id()).isEqualTo(id(1));
  }

  @Test
  void allocateForUploadRemembersTheQueuePosition() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(1));
    long sequence = f.write("a");
    UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
    assertThat(allocation).isEqualTo(new UploadCheckpointAllocation(id(2), sequence));
  }
}
