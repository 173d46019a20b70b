package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refused local write leaves the database as it was, {@code ps_tx} included. */
class SqliteRefusedWriteTest {

  @TempDir Path directory;

  @Test
  @DisplayName("a write refused as the first of its transaction gives its ps_tx id back")
  void refusedWriteGivesTheTransactionIdBack() throws Exception {
    Path file = directory.resolve("refused.db");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      long before = nextTx(file);
      Throwable refused = store.inTransaction(tx -> catchThrowable(
          () -> tx.uploadQueue().enqueue(LocalWrite.put("items", "bad", "[1]"))));
      assertThat(refused).isInstanceOf(CheckpointArgumentException.class);
      assertThat(nextTx(file)).as("ps_tx.next_tx after the refusal").isEqualTo(before);

      // A good write after a refused one in the same transaction takes the id as if alone.
      store.inTransaction(tx -> {
        catchThrowable(() -> tx.enqueueArmingGate(LocalWrite.put("items", "bad", "null")));
        return tx.uploadQueue().enqueue(LocalWrite.put("items", "good", "{}"));
      });
      List<QueuedWrite> queued = store.inTransaction(tx -> tx.uploadQueue().firstWrites(10));
      assertThat(queued).extracting(QueuedWrite::transactionId).containsExactly(before);
      assertThat(nextTx(file)).isEqualTo(before + 1);
    }
  }

  private static long nextTx(Path file) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      return ((Number) Sql.value(connection, "SELECT next_tx FROM ps_tx WHERE id = 1")).longValue();
    }
  }
}
