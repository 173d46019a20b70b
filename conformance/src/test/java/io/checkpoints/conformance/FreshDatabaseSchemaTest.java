package io.checkpoints.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteMigrations;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * A file this library's SQLite store creates is the database the reference core's
 * {@code powersync_init} creates at schema version 14 (same {@code sqlite_master}, same
 * {@code ps_migration} rows with their down migrations), plus the per-user sequence table; and the
 * reference core opens it, and a file of this library's earlier version once migrated, without
 * changing their schema.
 */
class FreshDatabaseSchemaTest {

  /** What this library adds to a PowerSync database, and nothing else. */
  private static final List<String> OURS_ONLY = List.of(
      "index|sqlite_autoindex_checkpoint_user_sequence_1|checkpoint_user_sequence|null",
      "table|checkpoint_user_sequence|checkpoint_user_sequence|CREATE TABLE checkpoint_user_sequence(\n"
          + "  user_key TEXT PRIMARY KEY NOT NULL,\n  last_request_id INTEGER NOT NULL\n) STRICT");

  @TempDir Path directory;

  /** {@code sqlite_master} without page numbers, then every {@code ps_migration} row with its type. */
  private static List<String> dump(Path file) throws SQLException {
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      List<String> dump = new ArrayList<>(rows(connection,
          "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"));
      dump.addAll(rows(connection, "SELECT 'ps_migration', id, typeof(down_migrations),"
          + " quote(down_migrations) FROM ps_migration ORDER BY id"));
      return dump;
    }
  }

  private static List<String> rows(Connection connection, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          values.add(String.valueOf(result.getString(i)));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }

  private Path referenceDatabase() throws SQLException {
    Path file = directory.resolve("reference.db");
    try (Connection reference = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(reference);
    }
    return file;
  }

  private static List<String> withoutOurs(List<String> dump) {
    return dump.stream().filter(row -> !OURS_ONLY.contains(row)).toList();
  }

  @Test
  @DisplayName("our fresh file has the reference's version 14 schema and ps_migration rows, plus checkpoint_user_sequence")
  void freshFileHasTheReferenceSchema() throws Exception {
    Path ours = directory.resolve("ours.db");
    SqliteCheckpointStore.open(ours).close();
    List<String> reference = dump(referenceDatabase());
    List<String> fresh = dump(ours);

    assertThat(reference).as("the reference's own file has none of our rows").doesNotContainAnyElementsOf(OURS_ONLY);
    assertThat(fresh).containsAll(OURS_ONLY);
    assertThat(withoutOurs(fresh)).containsExactlyElementsOf(reference);
    assertThat(reference).filteredOn(row -> row.startsWith("ps_migration|")).hasSize(14);
  }

  @Test
  @DisplayName("the reference core opens our fresh file: powersync_init succeeds, changes nothing, and the two share the state")
  void theReferenceOpensOurFreshFile() throws Exception {
    Path ours = directory.resolve("ours.db");
    SqliteCheckpointStore.open(ours).close();
    List<String> before = dump(ours);
    try (Connection reference = ReferenceCore.get().open(ours)) {
      ReferenceCore.initialize(reference);
      assertThat(dump(ours)).as("after powersync_init").isEqualTo(before);
      // A write through the reference's own crud table arms the gate in the file we made.
      ReferenceCore.inTransaction(reference,
          "INSERT INTO powersync_crud(op, id, type, data) VALUES ('PUT', 'id1', 'items', '{}')");
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(ours)) {
      Optional<CheckpointRequestId> target = store.inTransaction(tx -> tx.state().target());
      long queued = store.inTransaction(tx -> tx.uploadQueue().size());
      assertThat(target).contains(CheckpointRequestId.MAX);
      assertThat(queued).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a file of the earlier version, migrated, has the reference's schema and the reference opens it unchanged")
  void anUpgradedEarlierFileIsAPowerSyncDatabase() throws Exception {
    Path earlier = directory.resolve("earlier.db");
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + earlier);
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA journal_mode = WAL");
      statement.execute("CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)");
      statement.execute("CREATE TABLE IF NOT EXISTS ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT,"
          + " data TEXT, tx_id INTEGER)");
      statement.execute("CREATE TABLE IF NOT EXISTS ps_tx(id INTEGER PRIMARY KEY NOT NULL,"
          + " current_tx INTEGER, next_tx INTEGER)");
      statement.execute("INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)");
      statement.execute("CREATE TABLE IF NOT EXISTS checkpoint_user_sequence(\n"
          + "  user_key TEXT PRIMARY KEY NOT NULL,\n  last_request_id INTEGER NOT NULL\n) STRICT");
      statement.execute("INSERT INTO ps_kv(key, value) VALUES ('client_id', 'earlier-client'),"
          + " ('last_requested_checkpoint_request_id', 7)");
    }
    assertThat(SqliteMigrations.migrate(earlier, 14).upgradedEarlierLibraryFile()).isTrue();
    List<String> upgraded = dump(earlier);
    assertThat(withoutOurs(upgraded)).containsExactlyElementsOf(dump(referenceDatabase()));
    try (Connection reference = ReferenceCore.get().open(earlier)) {
      ReferenceCore.initialize(reference);
      assertThat(dump(earlier)).isEqualTo(upgraded);
      try (Statement statement = reference.createStatement()) {
        statement.execute("BEGIN");
        try (ResultSet current = statement.executeQuery(
            "SELECT powersync_control('current_checkpoint_request_id', NULL)")) {
          assertThat(current.next()).isTrue();
          assertThat(current.getLong(1)).as("the reference reads the counter the file kept").isEqualTo(7);
        }
        statement.execute("COMMIT");
      }
    }
  }
}
