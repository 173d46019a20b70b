package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.applied;
import static io.checkpoints.domain.Fixture.checkpoint;
import static io.checkpoints.domain.Fixture.complete;
import static io.checkpoints.domain.Fixture.diff;
import static io.checkpoints.domain.Fixture.id;
import static io.checkpoints.domain.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriteCheckpointBarrierTest {

  private final Fixture f = new Fixture();
  private final SyncClient client = f.client;

  @BeforeEach
  void startIteration() {
    client.start(CheckpointMode.REQUESTS);
  }

  @Test
  void aLocalWriteArmsTheGateAndForgetsSeenAndApplied() {
    assertThat(f.fullCheckpoint("1", 5L)).containsExactly(applied(5L));
    client.sequence().seed(id(9));
    f.write("a");
    assertThat(f.target()).contains(id(Long.MAX_VALUE));
    assertThat(f.lastSeen()).isEmpty();
    assertThat(f.lastApplied()).isEmpty();
    assertThat(f.counter()).as("the counter is untouched").contains(id(9));
  }

  @Test
  void anInsertOnlyWriteDoesNotArmTheGateButItsQueuedRowHoldsPublishingBack() {
    client.barrier().recordLocalWrite(LocalWrite.put("log", "a", "{}").asInsertOnly());
    assertThat(f.target()).isEmpty();
    assertThat(f.fullCheckpoint("1", null)).containsExactly(LineOutcome.HELD);
    f.uploadAll();
    assertThat(client.completedUpload()).containsExactly(applied(null));
  }

  @Test
  void aFullCheckpointAppliesWithoutAGate() {
    assertThat(f.fullCheckpoint("1", 3L)).containsExactly(applied(3L));
    assertThat(f.lastSeen()).contains(WriteCheckpoint.of(3));
    assertThat(f.lastApplied()).contains(WriteCheckpoint.of(3));
    assertThat(f.published).singleElement().satisfies(p -> {
      assertThat(p.isFull()).isTrue();
      assertThat(p.lastOpId()).isEqualTo("1");
    });
  }

  @Test
  void aQueuedWriteBlocksFullCheckpointsEvenWithoutATarget() {
    f.write("a");
    client.barrier().clearTarget();
    assertThat(f.fullCheckpoint("1", 7L)).containsExactly(LineOutcome.HELD);
    assertThat(f.lastSeen()).as("last seen is written even when blocked").contains(WriteCheckpoint.of(7));
    assertThat(f.lastApplied()).isEmpty();
    assertThat(f.published).isEmpty();
  }

  @Test
  void theTargetBlocksUntilAWriteCheckpointAtLeastAsHighIsSeen() {
    client.barrier().setTarget(id(10));
    assertThat(f.fullCheckpoint("1", 9L)).containsExactly(LineOutcome.HELD);
    assertThat(f.fullCheckpoint("2", 10L)).containsExactly(applied(10L));
    assertThat(f.target()).as("the target is not cleared when the gate opens").contains(id(10));
    assertThat(f.fullCheckpoint("3", null)).as("last seen 10 still satisfies the target")
        .containsExactly(applied(null));
    assertThat(f.lastSeen()).as("a missing write checkpoint leaves last seen")
        .contains(WriteCheckpoint.of(10));
    assertThat(f.lastApplied()).contains(WriteCheckpoint.of(10));
  }

  @Test
  void negativeAndZeroWriteCheckpointsAreKeptExactly() {
    assertThat(f.fullCheckpoint("1", -3L)).containsExactly(applied(-3L));
    assertThat(f.lastSeen()).contains(WriteCheckpoint.of(-3));
    assertThat(f.fullCheckpoint("2", 0L)).containsExactly(applied(0L));
    assertThat(f.lastApplied()).contains(WriteCheckpoint.of(0));
  }

  @Test
  void theMaxTargetIsOnlyMetByAMaxWriteCheckpoint() {
    f.write("a");
    f.uploadAll();
    assertThat(f.fullCheckpoint("1", Long.MAX_VALUE - 1)).containsExactly(LineOutcome.HELD);
    assertThat(f.fullCheckpoint("2", Long.MAX_VALUE)).containsExactly(applied(Long.MAX_VALUE));
  }

  @Test
  void aCheckpointCompleteWithAnotherLastOpIdCompletesTheCurrentCheckpoint() {
    client.handleLine(checkpoint("5", 1L));
    assertThat(client.handleLine(complete("999"))).containsExactly(applied(1L));
    assertThat(f.published).singleElement().extracting(p -> p.lastOpId()).isEqualTo("5");
  }

  @Test
  void aRepeatedCheckpointCompleteIsReportedEachTime() {
    client.handleLine(checkpoint("1", 1L));
    assertThat(client.handleLine(complete("1"))).containsExactly(applied(1L));
    assertThat(client.handleLine(complete("1"))).containsExactly(applied(1L));
  }

  @Test
  void aDiffReplacesTheWriteCheckpoint() {
    client.barrier().setTarget(id(4));
    client.handleLine(checkpoint("1", 3L));
    client.handleLine(diff("2", 4L));
    assertThat(client.handleLine(complete("2"))).containsExactly(applied(4L));
    client.handleLine(diff("3", null));
    assertThat(client.handleLine(complete("3"))).containsExactly(applied(null));
  }

  @Test
  void diffAndCompleteWithoutACheckpointAreProtocolErrorsThatEndTheIteration() {
    assertThatThrownBy(() -> client.handleLine(diff("1", 1L)))
        .isInstanceOf(SyncProtocolException.class)
        .hasMessageContaining("checkpoint_diff without previous checkpoint");
    assertThat(client.isIterationActive()).isFalse();
    client.start(CheckpointMode.REQUESTS);
    assertThatThrownBy(() -> client.handleLine(complete("1")))
        .isInstanceOf(SyncProtocolException.class)
        .hasMessageContaining("Received checkpoint complete without previous checkpoint");
    assertThat(client.isIterationActive()).isFalse();
  }

  @Test
  void aPartialCheckpointWithoutACheckpointIsAStateError() {
    assertThatThrownBy(() -> client.handleLine(partial("1", 0)))
        .isInstanceOf(CheckpointStateException.class)
        .extracting(e -> ((CheckpointStateException) e).reason())
        .isEqualTo(CheckpointStateException.Reason.LINE_OUT_OF_ORDER);
    assertThat(client.isIterationActive()).isFalse();
  }

  @Test
  void priorityZeroPartialsAlwaysPublishOthersFollowTheGate() {
    f.write("a");
    client.handleLine(checkpoint("1", 100L));
    assertThat(client.handleLine(partial("1", 0))).containsExactly(new LineOutcome.PartialApplied(0));
    for (int priority = 1; priority <= 3; priority++) {
      assertThat(client.handleLine(partial("1", priority))).isEmpty();
    }
    f.uploadAll();
    client.barrier().clearTarget();
    assertThat(client.handleLine(partial("1", 2))).containsExactly(new LineOutcome.PartialApplied(2));
    assertThat(f.lastSeen()).as("partial checkpoints never update last seen").isEmpty();
    assertThat(f.published).extracting(p -> p.partialPriority().getAsInt()).containsExactly(0, 2);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void anExpiredTokenClosesTheStream(long seconds) {
    assertThat(client.handleLine(new SyncLine.TokenExpiresIn(seconds))).containsExactly(LineOutcome.CLOSED);
    assertThat(client.isIterationActive()).isFalse();
  }

  @Test
  void otherLinesReportNothing() {
    assertThat(client.handleLine(new SyncLine.TokenExpiresIn(30))).isEmpty();
    assertThat(client.handleLine(new SyncLine.Other("data"))).isEmpty();
    assertThat(client.isIterationActive()).isTrue();
  }

  @Test
  void linesAndCompletedUploadNeedAnIteration() {
    client.stop();
    assertThatThrownBy(() -> client.handleLine(checkpoint("1", 1L)))
        .isInstanceOf(CheckpointStateException.class).hasMessage("No iteration is active");
    assertThatThrownBy(client::completedUpload)
        .isInstanceOf(CheckpointStateException.class).hasMessage("No iteration is active");
  }

  @Test
  void completedUploadAppliesThePendingCheckpointOnceTheGateOpens() {
    client.barrier().setTarget(id(5));
    f.write("a");
    client.barrier().setTarget(id(5));
    assertThat(f.fullCheckpoint("1", 5L)).containsExactly(LineOutcome.HELD);
    f.uploadAll();
    assertThat(client.completedUpload()).containsExactly(applied(5L));
    assertThat(client.completedUpload()).as("nothing pending any more").isEmpty();
  }

  @Test
  void theRetryStoresLastSeenAgain() {
    client.barrier().setTarget(id(5));
    client.handleLine(checkpoint("1", 5L));
    f.write("a");
    assertThat(client.handleLine(complete("1"))).containsExactly(LineOutcome.HELD);
    f.write("b"); // deletes last seen again
    client.barrier().setTarget(id(5));
    f.uploadAll();
    assertThat(f.lastSeen()).isEmpty();
    assertThat(client.completedUpload()).containsExactly(applied(5L));
    assertThat(f.lastSeen()).contains(WriteCheckpoint.of(5));
  }

  @Test
  void aNewCheckpointLineDropsThePendingCheckpoint() {
    f.write("a");
    client.barrier().clearTarget();
    f.fullCheckpoint("1", null);
    assertThat(client.barrier().pendingCheckpointLastOpId()).contains("1");
    client.handleLine(checkpoint("2", null));
    assertThat(client.barrier().pendingCheckpointLastOpId()).isEmpty();
    f.uploadAll();
    assertThat(client.completedUpload()).isEmpty();
  }

  @Test
  void aDiffDropsThePendingCheckpointToo() {
    f.write("a");
    client.barrier().clearTarget();
    f.fullCheckpoint("1", null);
    client.handleLine(diff("2", null));
    f.uploadAll();
    assertThat(client.completedUpload()).isEmpty();
  }

  @Test
  void theEndOfTheIterationDropsThePendingCheckpoint() {
    f.write("a");
    client.barrier().clearTarget();
    f.fullCheckpoint("1", null);
    client.stop();
    client.start(CheckpointMode.REQUESTS);
    f.uploadAll();
    assertThat(client.completedUpload()).isEmpty();
    assertThat(client.barrier().pendingCheckpointLastOpId()).isEmpty();
  }

  @Test
  void aPublisherFailureRollsBackLastSeenAndAppliedAndEndsTheIteration() {
    SyncClient failing = SyncClient.builder(f.store)
        .publisher((publication, tx) -> {
          throw new IllegalStateException("disk full");
        })
        .build();
    failing.start(CheckpointMode.REQUESTS);
    failing.handleLine(checkpoint("1", 8L));
    assertThatThrownBy(() -> failing.handleLine(complete("1"))).hasMessage("disk full");
    assertThat(f.lastSeen()).isEmpty();
    assertThat(f.lastApplied()).isEmpty();
    assertThat(failing.isIterationActive()).isFalse();
  }

  @Test
  void theUploadFlowAdoptsTheAcceptedIdAsTarget() {
    client.sequence().seed(id(41));
    f.write("a");
    f.uploadAll();
    UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
    assertThat(allocation.id()).isEqualTo(id(42));
    assertThat(client.barrier().targetAcceptedRequest(allocation, id(50))).isTrue();
    assertThat(f.target()).contains(id(50));
    assertThat(f.fullCheckpoint("1", 49L)).containsExactly(LineOutcome.HELD);
    assertThat(f.fullCheckpoint("2", 50L)).containsExactly(applied(50L));
  }

  @Test
  void theUploadFlowKeepsMaxWhenAWriteWasQueuedSinceAllocation() {
    client.sequence().seed(id(1));
    f.write("a");
    f.uploadAll();
    UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
    f.write("b");
    f.uploadAll(); // the queue is empty again, but the write came after the allocation
    assertThat(client.barrier().targetAcceptedRequest(allocation, id(2))).isFalse();
    assertThat(f.target()).contains(id(Long.MAX_VALUE));
  }

  @Test
  void theUploadFlowLeavesAConcreteTargetOrANonEmptyQueueAlone() {
    client.sequence().seed(id(1));
    f.write("a");
    UploadCheckpointAllocation whileQueued = client.sequence().allocateForUpload();
    assertThat(client.barrier().targetAcceptedRequest(whileQueued, id(2))).isFalse();
    f.uploadAll();
    client.barrier().setTarget(id(7));
    UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
    assertThat(client.barrier().targetAcceptedRequest(allocation, id(3))).isFalse();
    assertThat(f.target()).contains(id(7));
  }

  @Test
  void targetReturnsThePreviousValue() {
    assertThat(client.barrier().target()).isEmpty();
    assertThat(client.barrier().setTarget(id(3))).isEmpty();
    assertThat(client.barrier().setTarget(id(4))).contains(id(3));
    assertThat(client.barrier().clearTarget()).contains(id(4));
    assertThat(client.barrier().clearTarget()).isEmpty();
  }

  @Test
  void removingUploadedWritesRemovesOnlyThose() {
    long first = f.write("a");
    f.write("b");
    f.store.inTransaction(tx -> {
      tx.uploadQueue().removeThrough(first);
      return null;
    });
    client.barrier().clearTarget();
    assertThat(f.fullCheckpoint("1", null)).containsExactly(LineOutcome.HELD);
    f.uploadAll();
    assertThat(f.fullCheckpoint("2", null)).isEqualTo(List.of(applied(null)));
  }

  @Test
  void aBatchQueuesInOrderInOneTransactionAndArmsAsEveryWriteWould() {
    assertThat(f.fullCheckpoint("1", 5L)).containsExactly(applied(5L));
    List<Long> sequences = client.barrier().recordLocalWrites(List.of(
        LocalWrite.put("log", "l", "{}").asInsertOnly(),
        LocalWrite.put("items", "a", "{}"),
        LocalWrite.put("items", "b", "{\"n\":1}")));
    assertThat(sequences).hasSize(3).isSorted().doesNotHaveDuplicates();
    assertThat(sequences.get(2)).isEqualTo(client.barrier().uploadQueueSequence());
    assertThat(f.target()).contains(id(Long.MAX_VALUE));
    assertThat(f.lastSeen()).isEmpty();
    assertThat(f.lastApplied()).isEmpty();
    List<io.checkpoints.ports.QueuedWrite> queued = client.barrier().firstWrites(10);
    assertThat(queued).extracting(io.checkpoints.ports.QueuedWrite::rowId).containsExactly("l", "a", "b");
    assertThat(queued).extracting(io.checkpoints.ports.QueuedWrite::transactionId).containsOnly(queued.get(0).transactionId());
  }

  @Test
  void aBatchOfInsertOnlyWritesDoesNotArm() {
    client.barrier().setTarget(id(3));
    client.barrier().recordLocalWrites(List.of(LocalWrite.put("log", "l", "{}").asInsertOnly()));
    assertThat(f.target()).contains(id(3));
    assertThat(client.barrier().recordLocalWrites(List.of())).isEmpty();
    assertThat(f.target()).contains(id(3));
  }

  @Test
  void aBatchWithARefusedWriteChangesNothing() {
    client.barrier().setTarget(id(3));
    long before = client.barrier().uploadQueueSequence();
    assertThatThrownBy(() -> client.barrier().recordLocalWrites(List.of(
        LocalWrite.put("items", "a", "{}"), LocalWrite.put("items", "b", "[1]"))))
        .isInstanceOf(io.checkpoints.ports.CheckpointArgumentException.class);
    assertThat(f.target()).contains(id(3));
    assertThat(client.barrier().firstWrites(10)).isEmpty();
    assertThat(client.barrier().uploadQueueSequence()).isEqualTo(before);
  }
}
