package io.checkpoints.adapter.sqlite;

import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version14;
import static io.checkpoints.adapter.sqlite.Sql.stored;
import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.SqlDialect;
import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.adapter.jdbc.testing.SqlLocalWritesContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Local writes on SQLite: the shared cases of {@link SqlLocalWritesContract}; the queue insert
 * tells whether the TEMP trigger armed; the rows' format and {@code ps_tx} ids; and a connection of
 * the reference core on the same file keeps the reference's own behaviour.
 */
class SqliteLocalWritesTest extends SqlLocalWritesContract {

  private static final String MAX = "9223372036854775807 (integer)";

  @Override
  protected SqlStores stores() {
    return SqliteStores.INSTANCE;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"active", "paused", "insert-only table", "trigger dropped"})
  @DisplayName("the queue insert tells exactly whether the gate is armed after it, whatever the trigger did")
  void insertTellsWhetherTheTriggerArmed(String arming) throws Exception {
    SqliteStoreOptions options = SqliteStoreOptions.defaults().withInsertOnlyTables("logs");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"), options)) {
      boolean told = store.inTransaction(tx -> {
        Handle handle = tx.unwrap(Handle.class).orElseThrow();
        tx.state().setTarget(CheckpointRequestId.of(3));
        if (arming.equals("paused")) {
          SqliteDialect.INSTANCE.pauseLocalWriteArming(handle, true);
        } else if (arming.equals("trigger dropped")) {
          handle.execute("DROP TRIGGER temp." + SqliteDialect.ARMING_TRIGGER);
        }
        String table = arming.equals("insert-only table") ? "logs" : "items";
        SqlDialect.QueuedWrite queued = SqliteDialect.INSTANCE
            .insertQueuedWrite(handle, LocalWrite.put(table, "a", "{}"), 1).orElseThrow();
        boolean armed = tx.state().target().equals(Optional.of(CheckpointRequestId.MAX));
        assertThat(queued.gateArmed()).as("told = armed").isEqualTo(armed);
        assertThat(queued.sequence()).isEqualTo(tx.uploadQueue().lastSequence());
        SqliteDialect.INSTANCE.pauseLocalWriteArming(handle, false);
        return queued.gateArmed();
      });
      assertThat(told).isEqualTo(arming.equals("active"));
    }
  }

  @Test
  @DisplayName("an API write arms the gate even after the trigger was dropped on the store's connection")
  void javaApiWriteArmsWithoutTheTrigger() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
          .execute("DROP TRIGGER temp." + SqliteDialect.ARMING_TRIGGER));
      SyncClient client = SyncClient.create(store);
      client.barrier().setTarget(CheckpointRequestId.of(3));
      client.barrier().recordLocalWrite(LocalWrite.put("items", "a", "{}"));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
    }
  }

  @Test
  @DisplayName("queued rows have the reference's JSON shape, and one ps_tx id per store transaction")
  void queuedRowFormat() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      store.inTransaction(tx -> {
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}"));
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.PATCH, "items", "a", "{\"n\": 2}", false));
        return null;
      });
      long third = store.inTransaction(tx ->
          tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.DELETE, "items", "a", "{}", false)));
      assertThat(third).isEqualTo(3);
      Connection connection = store.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
      store.inTransaction(tx -> {
        try {
          assertThat(Sql.rows(connection, "SELECT id, data, tx_id FROM ps_crud ORDER BY id")).containsExactly(
              "1|{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}|1",
              "2|{\"op\":\"PATCH\",\"id\":\"a\",\"type\":\"items\",\"data\":{\"n\":2}}|1",
              "3|{\"op\":\"DELETE\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}|2");
          assertThat(Sql.rows(connection, "SELECT * FROM ps_tx")).containsExactly("1|null|3");
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
        return null;
      });
    }
  }

  @ParameterizedTest(name = "ps_tx row {0}")
  // ';' between the columns: the rows themselves hold ',', '|' and "'".
  @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
      "(1, NULL, 7)                    ; 7                   ; 1|null|8",
      "(1, 4, 7)                       ; 7                   ; 1|null|8",
      "(1, NULL, 9223372036854775806)  ; 9223372036854775806 ; 1|null|9223372036854775807",
      "(1, NULL, 9223372036854775807)  ; 1                   ; 1|null|2",
      "(1, NULL, NULL)                 ; 1                   ; 1|null|2",
      "(1, NULL, 0)                    ; 1                   ; 1|null|2",
      "(1, NULL, -5)                   ; 1                   ; 1|null|2",
      "(1, NULL, 'seven')              ; 1                   ; 1|null|2",
      "(1, NULL, 7.5)                  ; 1                   ; 1|null|2",
      "none                            ; 1                   ; 1|null|2"})
  @DisplayName("the write's tx_id is next_tx, or 1 where next_tx is missing, not an integer or out of 1..MAX-1")
  void transactionIdEdges(String row, long txId, String after) throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      Connection connection = store.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
      store.inTransaction(tx -> {
        try {
          Sql.execute(connection, "DELETE FROM ps_tx");
          if (!row.equals("none")) {
            Sql.execute(connection, "INSERT INTO ps_tx(id, current_tx, next_tx) VALUES " + row);
          }
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
        return null;
      });
      store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}")));
      assertThat(Reads.longValue(store, "SELECT tx_id FROM ps_crud")).isEqualTo(txId);
      store.inTransaction(tx -> {
        try {
          assertThat(Sql.rows(connection, "SELECT * FROM ps_tx")).containsExactly(after);
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The reference core on the same file

  @Test
  @DisplayName("opening a PowerSync database adds one table and no persistent trigger")
  void storeAddsNoPersistentTrigger() throws Exception {
    Path file = version14(directory.resolve("db"), connection -> { });
    List<String> before = schema(file);
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      Reads.target(store);
      assertThat(schema(file)).noneMatch(row -> row.startsWith("trigger"));
    }
    List<String> after = schema(file);
    assertThat(after).containsAll(before);
    assertThat(after).hasSize(before.size() + 2) // the table and its primary key index
        .anyMatch(row -> row.startsWith("table|checkpoint_user_sequence"));
  }

  @Test
  @DisplayName("a reference connection keeps the reference's arming: first write only, insert-only never")
  void referenceConnectionKeepsItsBehaviour() throws Exception {
    Path file = version14(directory.resolve("db"), connection -> ReferenceCore.inTransaction(connection,
        "SELECT powersync_replace_schema('{\"tables\":["
            + "{\"name\":\"items\",\"columns\":[{\"name\":\"name\",\"type\":\"TEXT\"}]},"
            + "{\"name\":\"logs\",\"columns\":[{\"name\":\"msg\",\"type\":\"TEXT\"}],\"insert_only\":true}]}')"));
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file);
        Connection reference = ReferenceCore.get().open(file)) {
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(5));
        tx.state().setLastSeen(WriteCheckpoint.of(5));
        return null;
      });
      // The reference's insert-only write does not arm.
      Sql.execute(reference, "INSERT INTO logs(id, msg) VALUES ('l1', 'hi')");
      assertThat(gate(reference)).startsWith("5 (integer) / 5 (integer)");

      // Only its first write of a transaction arms: a target set in between survives.
      Sql.execute(reference, "BEGIN");
      Sql.execute(reference, "INSERT INTO items(id, name) VALUES ('b', 'x')");
      assertThat(stored(reference, TARGET)).isEqualTo(MAX);
      Sql.execute(reference, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('" + TARGET + "', 5), ('" + SEEN + "', 4)");
      Sql.execute(reference, "INSERT INTO items(id, name) VALUES ('c', 'y')");
      Sql.execute(reference, "COMMIT");
      assertThat(gate(reference)).startsWith("5 (integer) / 4 (integer)");

      // And what the reference wrote is what this store reads.
      assertThat(Reads.target(store)).contains(CheckpointRequestId.of(5));
      assertThat(Reads.queueSize(store)).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("each side reads the checkpoint state the other wrote")
  void stateIsSharedWithTheReference() throws Exception {
    Path file = version14(directory.resolve("db"), connection -> { });
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file);
        Connection reference = ReferenceCore.get().open(file)) {
      SyncClient client = SyncClient.create(store);
      client.start(io.checkpoints.ports.CheckpointMode.REQUESTS);
      client.sequence().seed(CheckpointRequestId.of(41));
      client.sequence().next();
      client.barrier().setTarget(CheckpointRequestId.of(40));
      assertThat(Sql.outcomeInTransaction(reference, "SELECT powersync_control('current_checkpoint_request_id', NULL)"))
          .isEqualTo("integer 42");
      assertThat(Sql.outcomeInTransaction(reference, "SELECT powersync_control('target_checkpoint_request_id', NULL)"))
          .isEqualTo("integer 40");

      Sql.execute(reference, "INSERT INTO powersync_crud(op, id, type, data) VALUES ('PUT', 'a', 'items', '{}')");
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
      assertThat(Reads.queueSize(store)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("with the reference loaded on a store's own connection, its insert-only writes arm unless declared")
  void referenceLoadedOnTheStoresConnection() throws Exception {
    Path file = version14(directory.resolve("db"), connection -> ReferenceCore.inTransaction(connection,
        "SELECT powersync_replace_schema('{\"tables\":["
            + "{\"name\":\"logs\",\"columns\":[{\"name\":\"msg\",\"type\":\"TEXT\"}],\"insert_only\":true}]}')"));
    for (boolean declared : new boolean[] {false, true}) {
      SqliteStoreOptions options = declared
          ? SqliteStoreOptions.defaults().withInsertOnlyTables("logs") : SqliteStoreOptions.defaults();
      try (Connection connection = ReferenceCore.get().open(file);
          SqliteCheckpointStore store = SqliteCheckpointStore.join(connection, options)) {
        assertThat(store.ownsConnection()).isFalse();
        openGate(connection);
        Sql.execute(connection, "INSERT INTO logs(id, msg) VALUES ('l" + declared + "', 'hi')");
        assertThat(gate(connection)).as("declared: %s", declared).isEqualTo(declared ? open() : armed());
      }
    }
  }

  private static List<String> schema(Path file) throws Exception {
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      return Sql.rows(connection, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
    }
  }
}
