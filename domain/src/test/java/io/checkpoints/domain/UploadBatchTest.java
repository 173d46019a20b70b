package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class UploadBatchTest {

  private final Fixture f = new Fixture();
  private final ScriptedTransport transport = new ScriptedTransport();
  private final SyncConnection connection = SyncConnection.builder(f.client, transport).build();

  private void connectAndSeed(long answer) {
    connection.connect(CheckpointMode.REQUESTS);
    transport.accept(answer);
  }

  private long queued() {
    return f.store.<Long>inTransaction(tx -> tx.uploadQueue().size());
  }

  @Test
  void aBatchHoldsTheOldestWritesInOrderWithWhatToUpload() {
    f.client.barrier().recordLocalWrite(LocalWrite.put("todos", "t1", "{\"done\":true}"));
    f.client.barrier().recordLocalWrite(new LocalWrite(LocalWrite.Operation.DELETE, "todos", "t2", "{}", false));
    f.write("x");
    UploadBatch batch = connection.nextUploadBatch(2).orElseThrow();
    assertThat(batch.writes()).extracting(QueuedWrite::rowId).containsExactly("t1", "t2");
    QueuedWrite first = batch.writes().get(0);
    assertThat(first.operation()).isEqualTo(LocalWrite.Operation.PUT);
    assertThat(first.table()).isEqualTo("todos");
    assertThat(first.dataJson()).isEqualTo("{\"done\":true}");
    assertThat(batch.writes().get(1).operation()).isEqualTo(LocalWrite.Operation.DELETE);
    assertThat(connection.nextUploadBatch(Integer.MAX_VALUE).orElseThrow().writes()).hasSize(3);
  }

  @Test
  void anEmptyQueueHasNoBatch() {
    assertThat(connection.nextUploadBatch(1)).isEmpty();
    assertThat(connection.nextUploadTransaction()).isEmpty();
  }

  @Test
  void aLimitBelowOneIsAnArgumentError() {
    f.write("a");
    assertThatThrownBy(() -> connection.nextUploadBatch(0)).isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> connection.nextUploadBatch(-1)).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> connection.nextUploadBatch(Integer.MIN_VALUE)).isInstanceOf(CheckpointArgumentException.class);
    assertThat(queued()).isEqualTo(1);
  }

  @Test
  void theNextTransactionHoldsTheWritesOfTheOldestLocalTransaction() {
    f.store.inTransaction(tx -> {
      f.write("a");
      f.write("b");
      return null;
    });
    f.write("c");
    assertThat(connection.nextUploadTransaction().orElseThrow().writes())
        .extracting(QueuedWrite::rowId).containsExactly("a", "b");
  }

  @Test
  void completingRemovesExactlyTheBatchThenDoesTheWriteCheckpoint() {
    connectAndSeed(10);
    f.write("a");
    UploadBatch batch = connection.nextUploadBatch(10).orElseThrow();
    f.write("queued meanwhile");
    CompletableFuture<Void> done = batch.complete();
    assertThat(queued()).as("the write queued meanwhile stays").isEqualTo(1);
    assertThat(transport.postedIds()).containsExactly(1L, 11L);
    transport.accept();
    assertThat(done).isCompleted();
    assertThat(f.target()).as("a write came in since: the gate stays armed").contains(CheckpointRequestId.MAX);

    connection.nextUploadBatch(10).orElseThrow().complete();
    transport.accept();
    assertThat(queued()).isZero();
    assertThat(f.target()).contains(id(12));
  }

  @Test
  void completingTwiceIsAStaleBatchAndChangesNothing() {
    connectAndSeed(10);
    f.write("a");
    UploadBatch batch = connection.nextUploadBatch(10).orElseThrow();
    batch.complete();
    transport.accept();
    f.write("b");
    assertThatThrownBy(batch::complete).isInstanceOf(CheckpointStateException.class)
        .satisfies(e -> assertThat(((CheckpointStateException) e).reason())
            .isEqualTo(CheckpointStateException.Reason.STALE_UPLOAD_BATCH));
    assertThat(queued()).isEqualTo(1);
  }

  @Test
  void aBatchReadAgainAfterItsWritesLeftTheQueueIsStale() {
    connectAndSeed(10);
    f.write("a");
    UploadBatch first = connection.nextUploadBatch(10).orElseThrow();
    UploadBatch sameWrites = connection.nextUploadBatch(10).orElseThrow();
    first.complete();
    transport.accept();
    f.write("b");
    assertThatThrownBy(sameWrites::complete).isInstanceOf(CheckpointStateException.class)
        .hasMessageContaining("no longer queued");
    assertThat(queued()).isEqualTo(1);
  }

  @Test
  void aBatchFromBeforeAClearIsStale() {
    f.write("a");
    UploadBatch batch = connection.nextUploadBatch(10).orElseThrow();
    f.client.clear(ClearFlags.HARD);
    f.write("b");
    assertThatThrownBy(batch::complete).isInstanceOf(CheckpointStateException.class)
        .hasMessageContaining("clear");
    assertThat(queued()).isEqualTo(1);
    assertThat(connection.nextUploadBatch(10).orElseThrow().writes()).extracting(QueuedWrite::rowId)
        .containsExactly("b");
  }

  @Test
  void completingWhileDisconnectedRemovesTheWritesAndFailsTheFuture() {
    f.write("a");
    CompletableFuture<Void> done = connection.nextUploadBatch(10).orElseThrow().complete();
    assertThat(queued()).isZero();
    assertThatThrownBy(done::join).hasCauseInstanceOf(CheckpointWaitException.Disconnected.class);
    assertThat(f.target()).as("no write checkpoint: the gate stays armed").contains(CheckpointRequestId.MAX);
  }
}
