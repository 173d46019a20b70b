package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.applied;
import static io.checkpoints.domain.Fixture.checkpoint;
import static io.checkpoints.domain.Fixture.complete;
import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UserKey;
import org.junit.jupiter.api.Test;

/**
 * The six places where this library deliberately does better than the reference core
 * (behaviour.md section 12). Each test asserts our behaviour and says what the reference does.
 */
class DeviationsTest {

  private final Fixture f = new Fixture();
  private final SyncClient client = f.client;

  @Test
  void deviation1_aTooEarlyCompletedUploadKeepsThePendingCheckpoint() {
    client.start(CheckpointMode.REQUESTS);
    f.write("a");
    client.barrier().setTarget(id(5));
    assertThat(f.fullCheckpoint("1", 5L)).containsExactly(LineOutcome.HELD);
    // The queue is not empty yet: the retry is blocked. The reference drops the pending
    // checkpoint here, so its data waits for the next checkpoint.
    assertThat(client.completedUpload()).isEmpty();
    assertThat(client.barrier().pendingCheckpointLastOpId()).contains("1");
    f.uploadAll();
    assertThat(client.completedUpload()).containsExactly(applied(5L));
  }

  @Test
  void deviation1_aPendingCheckpointOlderThanTheTargetStaysPending() {
    client.start(CheckpointMode.REQUESTS);
    f.write("a");
    client.barrier().setTarget(id(9));
    f.uploadAll();
    assertThat(f.fullCheckpoint("1", 5L)).containsExactly(LineOutcome.HELD);
    // Older than the target: skipped, but (unlike the reference) not dropped.
    assertThat(client.completedUpload()).isEmpty();
    client.barrier().setTarget(id(5));
    assertThat(client.completedUpload()).containsExactly(applied(5L));
  }

  @Test
  void deviation2_completedUploadDoesNotApplyAgainWhatACheckpointCompleteApplied() {
    client.start(CheckpointMode.REQUESTS);
    f.write("a");
    client.barrier().clearTarget();
    client.handleLine(checkpoint("1", 4L));
    assertThat(client.handleLine(complete("1"))).containsExactly(LineOutcome.HELD);
    f.uploadAll();
    assertThat(client.handleLine(complete("1"))).containsExactly(applied(4L));
    // The reference reports the same checkpoint as applied a second time here.
    assertThat(client.completedUpload()).isEmpty();
    assertThat(f.published).hasSize(1);
  }

  @Test
  void deviation3_nextAtMaxIsAnOverflowErrorNotAFloatingPointCounter() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(Long.MAX_VALUE));
    assertThatThrownBy(() -> client.sequence().next())
        .isInstanceOf(CheckpointStateException.class)
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.OVERFLOW);
    assertThat(f.counter()).contains(id(Long.MAX_VALUE));
  }

  @Test
  void deviation4_everyLocalWriteReArmsTheGateEvenInOneTransaction() {
    f.store.inTransaction(tx -> {
      f.write("a");
      client.barrier().setTarget(id(7));
      f.write("b"); // the reference arms only on the first write of a transaction
      return null;
    });
    assertThat(f.target()).contains(id(Long.MAX_VALUE));
  }

  @Test
  void deviation5_idsForAUserContinueAfterAClear() {
    UserKey user = UserKey.forUserId("user-1");
    client.start(CheckpointMode.REQUESTS, user);
    client.sequence().seed(id(7));
    client.sequence().next();
    client.stop();
    client.clear(ClearFlags.HARD);
    // The reference posts 1 again here, because clear deleted the counter.
    assertThat(client.start(CheckpointMode.REQUESTS, user).orElseThrow().id()).isEqualTo(id(8));
    client.sequence().seed(id(1)); // a service that forgot the user answers with the posted id
    assertThat(client.sequence().next()).isEqualTo(id(9));
  }

  @Test
  void deviation6_idsAreOnlyAllocatedAfterTheCurrentIterationsSeed() {
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(id(41));
    client.start(CheckpointMode.REQUESTS);
    // A counter row exists, which is all the reference checks.
    assertThatThrownBy(() -> client.sequence().next())
        .isInstanceOf(CheckpointStateException.class)
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.NOT_SEEDED);
    assertThat(f.counter()).contains(id(41));
  }
}
