package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TEMP trigger skips the arming statements when the gate is already armed exactly as arming
 * leaves it (target the integer {@code MAX}, no last seen, no last applied). These cases pin that
 * the skip is decided by the state alone, so that after any sequence of writes, rollbacks,
 * savepoints and changes in between, every write leaves the gate armed, as deviation 12.4 of the
 * contract (every write re-arms) requires. A skip keyed to the transaction (the reference's "first
 * write of a transaction"), a flag that survives a rollback, or a check of the target alone fails
 * one of them.
 */
class SqliteArmingStateTest {

  private static final String TARGET = "target_checkpoint_request_id";
  private static final String SEEN = "last_seen_checkpoint_request_id";
  private static final String APPLIED = "last_applied_checkpoint_request_id";
  private static final String WRITE = "INSERT INTO ps_crud(data, tx_id) VALUES"
      + " ('{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}', 1)";
  private static final String ARMED = "9223372036854775807 (integer) / absent / absent";
  private static final String OPEN = "3 (integer) / 3 (integer) / 3 (integer)";

  @TempDir Path directory;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "(target, MAX), (seen, 3)",
      "(target, MAX), (applied, 3)",
      "(target, MAX), (seen, -3), (applied, 0)",
      "(target, 3)",
      "(target, 9223372036854775806)",
      "(target, '9223372036854775807')",
      "(target, 9223372036854775807.0)",
      "(target, CAST(9223372036854775807 AS BLOB))",
      "(seen, 3)",
      "none",
      "(target, MAX)"})
  @DisplayName("a write from any state but the armed one arms; from the armed one it changes nothing")
  void everyStateEndsArmed(String rows) throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      setGate(connection, rows);
      Sql.execute(connection, WRITE);
      assertThat(gate(connection)).as("state before: %s", rows).isEqualTo(ARMED);
      Sql.execute(connection, WRITE);
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(store.ownsConnection()).isFalse();
    }
  }

  @Test
  @DisplayName("a rolled-back first write, then writes in a new transaction: the new transaction arms")
  void rolledBackFirstWrite() throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      openGate(connection);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, WRITE);
      assertThat(gate(connection)).isEqualTo(ARMED);
      Sql.execute(connection, "ROLLBACK");
      assertThat(gate(connection)).isEqualTo(OPEN);

      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, WRITE);
      Sql.execute(connection, WRITE);
      Sql.execute(connection, "COMMIT");
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_crud")).isEqualTo(2);
      assertThat(store.ownsConnection()).isFalse();
    }
  }

  @Test
  @DisplayName("savepoints: a write undone with its savepoint, and a gate opened in a savepoint, re-arm")
  void savepoints() throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      openGate(connection);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, "SAVEPOINT s1");
      Sql.execute(connection, WRITE);
      Sql.execute(connection, "ROLLBACK TO SAVEPOINT s1");
      Sql.execute(connection, "RELEASE SAVEPOINT s1");
      assertThat(gate(connection)).as("the armed state went with the savepoint").isEqualTo(OPEN);
      Sql.execute(connection, WRITE);
      assertThat(gate(connection)).isEqualTo(ARMED);

      // Armed; a nested savepoint opens the gate and writes again, then is undone.
      Sql.execute(connection, "SAVEPOINT s2");
      openGate(connection);
      Sql.execute(connection, WRITE);
      assertThat(gate(connection)).isEqualTo(ARMED);
      openGate(connection);
      Sql.execute(connection, "ROLLBACK TO SAVEPOINT s2");
      Sql.execute(connection, "RELEASE SAVEPOINT s2");
      assertThat(gate(connection)).isEqualTo(ARMED);

      // A checkpoint seen between two writes of one transaction: the second write deletes it.
      Sql.execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('" + SEEN + "', 7)");
      Sql.execute(connection, WRITE);
      Sql.execute(connection, "COMMIT");
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_crud"))
          .as("the write in savepoint s2 went with it").isEqualTo(2);
      assertThat(store.ownsConnection()).isFalse();
    }
  }

  @Test
  @DisplayName("1,000 writes in one transaction with the gate opened half-way end armed")
  void bulkTransaction() throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      openGate(connection);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      for (int i = 0; i < 1000; i++) {
        if (i == 500) {
          openGate(connection);
        }
        Sql.execute(connection, WRITE);
      }
      Sql.execute(connection, "COMMIT");
      assertThat(gate(connection)).isEqualTo(ARMED);
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_crud")).isEqualTo(1000);
      assertThat(store.ownsConnection()).isFalse();
    }
  }

  @Test
  @DisplayName("API batches: a batch after a checkpoint was seen arms; one rolled back leaves the state")
  void apiBatches() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      Connection connection = store.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
      SyncClient client = SyncClient.create(store);
      List<LocalWrite> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(LocalWrite.put("items", "r" + i, "{\"n\":" + i + "}"));
      }
      for (int round = 0; round < 2; round++) {
        store.inTransaction(tx -> {
          try {
            openGate(connection);
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
          return null;
        });
        client.barrier().recordLocalWrites(batch);
        String after = store.inTransaction(tx -> {
          try {
            return gate(connection);
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
        });
        assertThat(after).as("round %d", round).isEqualTo(ARMED);
      }
    }
  }

  private static void openGate(Connection connection) throws SQLException {
    setGate(connection, "(target, 3), (seen, 3), (applied, 3)");
  }

  /** Replaces the three gate keys by {@code rows}, each {@code (name, value)} with MAX spelled out. */
  private static void setGate(Connection connection, String rows) throws SQLException {
    Sql.execute(connection, "DELETE FROM ps_kv WHERE key IN ('" + TARGET + "', '" + SEEN + "', '" + APPLIED + "')");
    if (!rows.equals("none")) {
      String values = rows.replace("(target,", "('" + TARGET + "',").replace("(seen,", "('" + SEEN + "',")
          .replace("(applied,", "('" + APPLIED + "',").replace("MAX", "9223372036854775807");
      Sql.execute(connection, "INSERT INTO ps_kv(key, value) VALUES " + values);
    }
  }

  private static String gate(Connection connection) throws SQLException {
    return Sql.stored(connection, TARGET) + " / " + Sql.stored(connection, SEEN) + " / "
        + Sql.stored(connection, APPLIED);
  }
}
