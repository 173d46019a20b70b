package io.checkpoints.adapter.h2;

import static io.checkpoints.adapter.h2.Sql.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Local writes arm the gate, through the Java API and through SQL straight into {@code ps_crud} on
 * any connection, every write and not only the first of a transaction; declared insert-only
 * writes do not; a rolled-back write changes nothing, not even the queue's last sequence.
 */
class H2LocalWritesTest {

  private static final String TARGET = "target_checkpoint_request_id";
  private static final String SEEN = "last_seen_checkpoint_request_id";
  private static final String APPLIED = "last_applied_checkpoint_request_id";
  private static final String COUNTER = "last_requested_checkpoint_request_id";

  private static final String OPEN = "3 / 3 / 3 / 9";
  private static final String ARMED = "9223372036854775807 / absent / absent / 9";

  private static final String SQL_WRITE = "INSERT INTO ps_crud(data, tx_id) VALUES"
      + " ('{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}', 1)";

  @TempDir Path directory;

  /** A gate that is open: target 3, seen 3, applied 3, counter 9. */
  private static void openGate(Connection connection) throws SQLException {
    for (String key : List.of(TARGET, SEEN, APPLIED)) {
      Sql.execute(connection, "MERGE INTO ps_kv(\"KEY\", \"VALUE\") KEY(\"KEY\") VALUES ('" + key + "', 3)");
    }
    Sql.execute(connection, "MERGE INTO ps_kv(\"KEY\", \"VALUE\") KEY(\"KEY\") VALUES ('" + COUNTER + "', 9)");
  }

  private static String gate(Connection connection) throws SQLException {
    return stored(connection, TARGET) + " / " + stored(connection, SEEN) + " / "
        + stored(connection, APPLIED) + " / " + stored(connection, COUNTER);
  }

  @Test
  @DisplayName("an SQL insert into ps_crud on a store's connection arms the gate in the same statement")
  void sqlWriteOnTheStoresConnectionArms() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("db"), H2StoreOptions.defaults());
        H2CheckpointStore store = H2CheckpointStore.join(connection)) {
      assertThat(store.ownsConnection()).isFalse();
      openGate(connection);
      assertThat(gate(connection)).isEqualTo(OPEN);
      Sql.execute(connection, SQL_WRITE);
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(stored(connection, "client_id")).startsWith("\"").endsWith("\"");
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
      assertThat(gate(other)).isEqualTo(ARMED);
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
      assertThat(Reads.queueSize(store)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("every SQL write of a transaction re-arms the gate, not only the first (deviation 12.4)")
  void everyWriteArms() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("db"), H2StoreOptions.defaults());
        H2CheckpointStore store = H2CheckpointStore.join(connection)) {
      assertThat(store.ownsConnection()).isFalse();
      connection.setAutoCommit(false);
      Sql.execute(connection, SQL_WRITE);
      openGate(connection);
      Sql.execute(connection, SQL_WRITE);
      connection.commit();
      assertThat(gate(connection)).isEqualTo(ARMED);
    }
  }

  @Test
  @DisplayName("SQL writes to declared insert-only tables do not arm; others, and unreadable data, do")
  void declaredInsertOnlyTables() throws Exception {
    H2StoreOptions options = H2StoreOptions.defaults().withInsertOnlyTables("logs", "audit");
    try (Connection connection = H2Connections.open(directory.resolve("db"), options);
        H2CheckpointStore store = H2CheckpointStore.join(connection, options)) {
      assertThat(store.ownsConnection()).isFalse();
      openGate(connection);
      // The reference's insert-only writes put the members in this order.
      Sql.execute(connection, "INSERT INTO ps_crud(data, tx_id) VALUES"
          + " ('{\"op\":\"PUT\",\"type\":\"logs\",\"id\":\"l1\",\"data\":{\"msg\":\"hi\"}}', 1)");
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES ('{\"op\":\"PUT\",\"type\":\"audit\",\"id\":\"x\"}')");
      assertThat(gate(connection)).isEqualTo(OPEN);

      for (String data : List.of("'not json'", "NULL", "'{\"op\":\"PUT\",\"id\":\"l\"}'", "'[\"logs\"]'",
          "'{\"type\":\"logs\"'", "'{\"type\":\"items\"}'")) {
        openGate(connection);
        Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES (" + data + ")");
        assertThat(gate(connection)).as("data %s", data).isEqualTo(ARMED);
      }
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_crud")).isEqualTo(8L);
      assertThat(Sql.strings(connection, "SELECT name FROM checkpoints_insert_only_tables ORDER BY name"))
          .containsExactly("audit", "logs");
    }
  }

  @Test
  @DisplayName("through the Java API the domain arms, unless the write is insert-only; the queue alone never arms")
  void javaApiWrites() {
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("db"))) {
      SyncClient client = SyncClient.create(store);
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.state().setLastSeen(WriteCheckpoint.of(3));
        return null;
      });
      client.barrier().recordLocalWrite(LocalWrite.put("logs", "l1", "{\"msg\":\"hi\"}").asInsertOnly());
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));

      store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "i1", "{}")));
      assertThat(client.barrier().target()).as("the queue port does not arm").contains(CheckpointRequestId.of(3));

      client.barrier().recordLocalWrite(LocalWrite.put("items", "i2", "{\"n\":1}"));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
      assertThat(Reads.lastSeen(store)).isEmpty();

      // The pause around the store's own insert does not leak: SQL writes still arm.
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.unwrap(Handle.class).orElseThrow().execute(SQL_WRITE);
        assertThat(tx.state().target()).contains(CheckpointRequestId.MAX);
        return null;
      });
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
      assertThat(gate(connection)).as("armed inside the transaction").isEqualTo(ARMED);
      connection.rollback();
      connection.setAutoCommit(true);
      assertThat(gate(connection)).isEqualTo(OPEN);
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
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(Reads.target(again)).isEqualTo(Optional.of(CheckpointRequestId.MAX));
    }
  }
}
