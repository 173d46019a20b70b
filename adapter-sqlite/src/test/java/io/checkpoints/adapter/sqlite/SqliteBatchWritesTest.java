package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.adapter.jdbc.SqlDialect;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch of local writes queued together ({@code recordLocalWrites}, the dialect's
 * {@code insertQueuedWrites}) writes exactly the rows the same writes queued one by one write, and
 * refuses a batch with a bad write whole.
 */
class SqliteBatchWritesTest {

  @TempDir Path directory;

  /** Data and names that JSON encoding could get wrong, repeated to the batch's size. */
  private static List<LocalWrite> writes(int count, int padding) {
    String[] data = {
        "{}",
        "{ \"a\" : [1, 2.50, true, null],\n\t\"b\": {\"c\": \"\\u0041\\n\\\"\"} }",
        "{\"unicode\": \"\u00e9\u4e2d\ud83d\ude00\", \"raw\": \"tab\\there\"}",
        "{\"x\":\"" + "p".repeat(padding) + "\"}"};
    String[] ids = {"a", "quote\"back\\slash", "ctl\u0001\u001f\n", "\u00fc\ud83d\ude00", "  "};
    List<LocalWrite> writes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      LocalWrite.Operation operation = LocalWrite.Operation.values()[i % 3];
      writes.add(new LocalWrite(operation, "items" + (i % 2 == 0 ? "" : "\"t"),
          ids[i % ids.length] + i, data[i % data.length], false));
    }
    return writes;
  }

  @ParameterizedTest(name = "{0} writes")
  @ValueSource(ints = {2, 3, 1000, 2500})
  @DisplayName("the dialect's batch insert writes the rows, ids and tx_id of one insert per write")
  void batchRowsAreTheSingleInsertsRows(int count) throws Exception {
    List<LocalWrite> writes = writes(count, 10);
    List<String> single = queueInNewStore("single", writes, false);
    List<String> batch = queueInNewStore("batch", writes, true);
    assertThat(batch).hasSize(single.size()).isEqualTo(single);
  }

  @Test
  @DisplayName("a batch longer than one statement's array takes several, with the same rows")
  void batchOverSeveralChunks() throws Exception {
    List<LocalWrite> writes = writes(2500, 40000); // about 25 million characters in all
    assertThat(queueInNewStore("batch", writes, true))
        .isEqualTo(queueInNewStore("single", writes, false));
  }

  /**
   * Queues the writes in one store transaction of a new store, after a write of its own (so that
   * ids do not start at 1), and returns every row the batch could have changed.
   */
  private List<String> queueInNewStore(String name, List<LocalWrite> writes, boolean together)
      throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve(name))) {
      store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("first", "f", "{}")));
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        Handle handle = tx.unwrap(Handle.class).orElseThrow();
        List<Long> sequences = new ArrayList<>();
        boolean armed;
        if (together) {
          SqlDialect.QueuedWrites queued = SqliteDialect.INSTANCE
              .insertQueuedWrites(handle, writes, () -> 7).orElseThrow();
          assertThat(queued.refused()).isEqualTo(-1);
          sequences.addAll(queued.sequences());
          armed = queued.gateArmed();
        } else {
          armed = false;
          for (LocalWrite write : writes) {
            SqlDialect.QueuedWrite queued =
                SqliteDialect.INSTANCE.insertQueuedWrite(handle, write, 7).orElseThrow();
            sequences.add(queued.sequence());
            armed = queued.gateArmed();
          }
        }
        assertThat(armed).as("armed by the trigger").isTrue();
        assertThat(sequences).hasSize(writes.size()).isSorted().doesNotHaveDuplicates();
        assertThat(sequences.get(sequences.size() - 1)).isEqualTo(tx.uploadQueue().lastSequence());
        return null;
      });
      return snapshot(store);
    }
  }

  @Test
  @DisplayName("recordLocalWrites writes the rows of one enqueueArmingGate per write, and arms")
  void apiBatchRowsAreTheSingleWritesRows() throws Exception {
    List<LocalWrite> writes = new ArrayList<>(writes(20, 5));
    writes.add(3, LocalWrite.put("log", "l1", "{\"m\": 1}").asInsertOnly());
    writes.add(LocalWrite.put("log", "l2", "{}").asInsertOnly());
    List<String> expected;
    List<Long> expectedSequences;
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("single"))) {
      SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(3));
      expectedSequences = store.inTransaction(tx -> {
        List<Long> sequences = new ArrayList<>();
        for (LocalWrite write : writes) {
          sequences.add(write.insertOnly() ? tx.uploadQueue().enqueue(write)
              : tx.enqueueArmingGate(write).sequence());
        }
        return sequences;
      });
      expected = snapshot(store);
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("batch"))) {
      SyncClient client = SyncClient.create(store);
      client.barrier().setTarget(CheckpointRequestId.of(3));
      assertThat(client.barrier().recordLocalWrites(writes)).isEqualTo(expectedSequences);
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
      assertThat(snapshot(store)).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("a batch with a NUL character is queued one write at a time, with the same rows")
  void nulCharacterGoesOneByOne() throws Exception {
    List<LocalWrite> writes = new ArrayList<>(writes(4, 1));
    writes.add(LocalWrite.put("items", "nul\u0000id", "{\"a\": \"b\"}"));
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      Optional<SqlDialect.QueuedWrites> queued = store.inTransaction(tx -> SqliteDialect.INSTANCE
          .insertQueuedWrites(tx.unwrap(Handle.class).orElseThrow(), writes, () -> 1));
      assertThat(queued).isEmpty();
    }
    List<String> expected;
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("single"))) {
      store.inTransaction(tx -> {
        writes.forEach(tx::enqueueArmingGate);
        return null;
      });
      expected = snapshot(store);
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("batch"))) {
      SyncClient.create(store).barrier().recordLocalWrites(writes);
      assertThat(snapshot(store)).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "bad write at {0}")
  @ValueSource(ints = {0, 1, 2, 2400})
  @DisplayName("a batch with a write whose data is not a JSON object is refused whole and changes nothing")
  void badWriteRefusesTheBatch(int bad) throws Exception {
    List<LocalWrite> writes = new ArrayList<>(writes(bad < 3 ? 3 : 2500, bad < 3 ? 5 : 40000));
    LocalWrite refused = LocalWrite.put("items", "bad", bad % 2 == 0 ? "[1, 2]" : "{\"a\": ");
    writes.set(bad, refused);
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      SyncClient client = SyncClient.create(store);
      client.barrier().setTarget(CheckpointRequestId.of(3));
      client.barrier().recordLocalWrite(LocalWrite.put("items", "before", "{}"));
      client.barrier().setTarget(CheckpointRequestId.of(4));
      List<String> before = snapshot(store);
      Throwable single = catchThrowable(() -> client.barrier().recordLocalWrite(refused));
      Throwable batch = catchThrowable(() -> client.barrier().recordLocalWrites(writes));
      assertThat(batch).isInstanceOf(CheckpointArgumentException.class)
          .hasMessage(single.getMessage());
      assertThat(snapshot(store)).isEqualTo(before);
      // The store's own transaction id is not left behind: the next batch takes a fresh one.
      writes.set(bad, LocalWrite.put("items", "good", "{}"));
      client.barrier().recordLocalWrites(writes);
      long size = store.inTransaction(tx -> tx.uploadQueue().size());
      assertThat(size).isEqualTo(1 + writes.size());
    }
  }

  @Test
  @DisplayName("a batch of insert-only writes does not arm; an empty batch and one write do as before")
  void insertOnlyEmptyAndSingle() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      SyncClient client = SyncClient.create(store);
      client.barrier().setTarget(CheckpointRequestId.of(3));
      assertThat(client.barrier().recordLocalWrites(List.of())).isEmpty();
      assertThat(client.barrier().recordLocalWrites(List.of(
          LocalWrite.put("log", "a", "{}").asInsertOnly(),
          LocalWrite.put("log", "b", "{}").asInsertOnly()))).containsExactly(1L, 2L);
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));
      assertThat(client.barrier().recordLocalWrites(List.of(LocalWrite.put("items", "c", "{}"))))
          .containsExactly(3L);
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
    }
  }

  @Test
  @DisplayName("enqueueAllArmingGate reports the gate armed after a batch on the store's connection")
  void transactionBatchReportsArming() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      CheckpointTransaction.EnqueuedAll queued = store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        return tx.enqueueAllArmingGate(writes(3, 1));
      });
      assertThat(queued.sequences()).containsExactly(1L, 2L, 3L);
      assertThat(queued.gateArmed()).isTrue();
    }
  }

  /** Everything a batch could change; the queue's data as text of the same type and byte length. */
  private static List<String> snapshot(SqliteCheckpointStore store) {
    return store.inTransaction(tx -> {
      Connection connection = tx.unwrap(Connection.class).orElseThrow();
      List<String> rows = new ArrayList<>();
      try {
        rows.addAll(Sql.rows(connection, "SELECT id, typeof(data), length(CAST(data AS BLOB)), data, tx_id FROM ps_crud ORDER BY id"));
        rows.addAll(Sql.rows(connection, "SELECT * FROM ps_tx"));
        rows.addAll(Sql.rows(connection, "SELECT key, value, typeof(value) FROM ps_kv"
            + " WHERE key <> 'client_id' ORDER BY key"));
        rows.addAll(Sql.rows(connection, "SELECT * FROM sqlite_sequence ORDER BY name"));
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
      return rows;
    });
  }
}
