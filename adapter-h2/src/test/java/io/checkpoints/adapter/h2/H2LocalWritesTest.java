package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.adapter.jdbc.testing.SqlLocalWritesContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Local writes on H2: the shared cases of {@link SqlLocalWritesContract}; SQL writes arm on any
 * connection (the trigger is the database's, and survives reopening); declared insert-only tables
 * are stored in the database; the rows' format and {@code ps_tx} ids; a rolled-back write changes
 * nothing, not even the queue's last sequence.
 */
class H2LocalWritesTest extends SqlLocalWritesContract {

  @Override
  protected SqlStores stores() {
    return H2Stores.INSTANCE;
  }

  @Test
  @DisplayName("declared insert-only tables are stored in the database, for the trigger of every connection")
  void declaredInsertOnlyTablesAreStored() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("db"), H2StoreOptions.defaults());
        H2CheckpointStore store = H2CheckpointStore.join(connection,
            H2StoreOptions.defaults().withInsertOnlyTables("logs", "audit"))) {
      assertThat(store.ownsConnection()).isFalse();
      assertThat(Sql.strings(connection, "SELECT name FROM checkpoints_insert_only_tables ORDER BY name"))
          .containsExactly("audit", "logs");
    }
  }

  @Test
  @DisplayName("an SQL insert on a connection no store uses arms the gate too: the trigger is the database's")
  void sqlWriteOnAnyConnectionArms() throws Exception {
    Path file = directory.resolve("db");
    try (H2CheckpointStore store = H2CheckpointStore.open(file);
        Connection other = H2Connections.open(file, H2StoreOptions.defaults())) {
      openGate(other);
      Sql.execute(other, SQL_WRITE);
      assertThat(gate(other)).isEqualTo(armed());
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
      assertThat(Reads.queueSize(store)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("queued rows have the reference's JSON shape, and one ps_tx id per store transaction")
  void queuedRowFormat() throws Exception {
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("db"))) {
      store.inTransaction(tx -> {
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}"));
        tx.uploadQueue().enqueue(new LocalWrite(LocalWrite.Operation.PATCH, "items", "b\"q",
            " { \"n\" : 1.50, \"s\": \"\\u00e9\" } ", false));
        return null;
      });
      store.inTransaction(tx -> tx.uploadQueue().enqueue(
          new LocalWrite(LocalWrite.Operation.DELETE, "other", "c", "{}", false)));
      List<String> rows = store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
          .createQuery("SELECT data || ' tx ' || tx_id FROM ps_crud ORDER BY id").mapTo(String.class).list());
      assertThat(rows).containsExactly(
          "{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}} tx 1",
          "{\"op\":\"PATCH\",\"id\":\"b\\\"q\",\"type\":\"items\",\"data\":{\"n\":1.50,\"s\":\"\u00e9\"}} tx 1",
          "{\"op\":\"DELETE\",\"id\":\"c\",\"type\":\"other\",\"data\":{}} tx 2");
      assertThatThrownBy(() -> store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "d", "[1]"))))
          .isInstanceOf(io.checkpoints.ports.CheckpointArgumentException.class)
          .hasMessageContaining("must be the text of a JSON object");
    }
  }

  @ParameterizedTest(name = "next_tx {0}")
  @CsvSource(nullValues = "none", value = {
      "7,                   7,                   8",
      "9223372036854775806, 9223372036854775806, 9223372036854775807",
      "9223372036854775807, 1,                   2",
      "NULL,                1,                   2",
      "0,                   1,                   2",
      "-5,                  1,                   2",
      "none,                1,                   2"})
  @DisplayName("the write's tx_id is next_tx, or 1 where next_tx is missing or out of 1..MAX-1")
  void transactionIdEdges(String nextTx, long txId, long nextAfter) throws Exception {
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("db"))) {
      store.inTransaction(tx -> {
        Handle handle = tx.unwrap(Handle.class).orElseThrow();
        handle.execute(nextTx == null ? "DELETE FROM ps_tx"
            : "UPDATE ps_tx SET current_tx = 4, next_tx = " + nextTx + " WHERE id = 1");
        return null;
      });
      store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}")));
      List<String> rows = store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow()
          .createQuery("SELECT (SELECT tx_id FROM ps_crud) || ' ' || id || ' ' || COALESCE(CAST(current_tx AS VARCHAR), 'null')"
              + " || ' ' || next_tx FROM ps_tx").mapTo(String.class).list());
      assertThat(rows).containsExactly(txId + " 1 null " + nextAfter);
    }
  }

  @Test
  @DisplayName("a rolled-back SQL write leaves the gate and the queue's last sequence as they were")
  void rolledBackWriteChangesNothing() throws Exception {
    Path file = directory.resolve("db");
    try (H2CheckpointStore store = H2CheckpointStore.open(file);
        Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      long before = lastSequence(store);
      openGate(connection);
      connection.setAutoCommit(false);
      Sql.execute(connection, SQL_WRITE);
      assertThat(gate(connection)).as("armed inside the transaction").isEqualTo(armed());
      connection.rollback();
      connection.setAutoCommit(true);
      assertThat(gate(connection)).isEqualTo(open());
      assertThat(lastSequence(store)).isEqualTo(before);
      Sql.execute(connection, SQL_WRITE);
      assertThat(lastSequence(store)).as("the identity skipped the rolled-back id").isGreaterThan(before + 1);
    }
  }

  private static long lastSequence(CheckpointStore store) {
    return store.inTransaction(tx -> tx.uploadQueue().lastSequence());
  }

  @Test
  @DisplayName("the arming survives reopening; the database holds one trigger, the class of this adapter")
  void triggerIsPersistentAndSingle() throws Exception {
    Path file = directory.resolve("db");
    H2CheckpointStore.open(file).close();
    try (H2CheckpointStore again = H2CheckpointStore.open(file);
        Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      assertThat(Sql.strings(connection, "SELECT TRIGGER_NAME || ' ' || JAVA_CLASS FROM INFORMATION_SCHEMA.TRIGGERS"))
          .containsExactly("CHECKPOINTS_LOCAL_WRITE_ARMS_GATE"
              + " io.checkpoints.adapter.h2.internal.LocalWriteArmingTrigger");
      openGate(connection);
      Sql.execute(connection, SQL_WRITE);
      assertThat(gate(connection)).isEqualTo(armed());
      assertThat(Reads.target(again)).isEqualTo(Optional.of(CheckpointRequestId.MAX));
    }
  }
}
