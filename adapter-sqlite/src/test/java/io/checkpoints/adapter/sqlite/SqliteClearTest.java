package io.checkpoints.adapter.sqlite;

import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.copy;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version14;
import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.withReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UserKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code clear(flags)} against the reference's {@code powersync_clear(flags)} on copies of one
 * populated PowerSync database: every table ends up the same, and the per-user sequence table is
 * never touched.
 */
class SqliteClearTest {

  @TempDir Path directory;

  private static final String ALICE = UserKey.forUserId("alice").hex();

  private Path populated() throws Exception {
    return version14(directory.resolve("populated.db"), connection -> {
      for (String statement : List.of(
          "SELECT powersync_replace_schema('{\"tables\":["
              + "{\"name\":\"items\",\"columns\":[{\"name\":\"name\",\"type\":\"TEXT\"}]},"
              + "{\"name\":\"locals\",\"columns\":[{\"name\":\"v\",\"type\":\"TEXT\"}],\"local_only\":true},"
              + "{\"name\":\"logs\",\"columns\":[{\"name\":\"msg\",\"type\":\"TEXT\"}],\"insert_only\":true}]}')",
          "INSERT INTO items(id, name) VALUES ('i1', 'one')",
          "INSERT INTO locals(id, v) VALUES ('l1', 'local')",
          "INSERT INTO logs(id, msg) VALUES ('g1', 'hi')",
          "INSERT INTO ps_buckets(id, name, last_applied_op, last_op) VALUES (1, 'b1', 11, 12)",
          "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash)"
              + " VALUES (1, 12, 'items', 'i1', 'k', '{}', 3)",
          "INSERT INTO ps_sync_state(priority, last_synced_at) VALUES (2147483647, 1000)",
          "INSERT INTO ps_stream_subscriptions(id, stream_name, active) VALUES (1, 's', 1)",
          "INSERT INTO ps_untyped(type, id, data) VALUES ('t', 'u1', '{}')",
          "INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES ('other', 'o1')",
          "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 9),"
              + " ('last_requested_checkpoint_request_id', 8), ('last_seen_checkpoint_request_id', 7),"
              + " ('last_applied_checkpoint_request_id', 6), ('some_other_key', 'x')",
          "CREATE TABLE checkpoint_user_sequence(user_key TEXT PRIMARY KEY NOT NULL,"
              + " last_request_id INTEGER NOT NULL) STRICT",
          "INSERT INTO checkpoint_user_sequence VALUES ('" + ALICE + "', 41)",
          "CREATE TABLE user_table(a)",
          "INSERT INTO user_table VALUES (1)",
          "CREATE TABLE ps_data_custom(a)",
          "INSERT INTO ps_data_custom VALUES (1)",
          "CREATE TABLE ps_data__orphan(a)",
          "INSERT INTO ps_data__orphan VALUES (1)")) {
        io.checkpoints.testkit.reference.ReferenceCore.inTransaction(connection, statement);
      }
    });
  }

  @ParameterizedTest(name = "flags {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  @DisplayName("clear empties exactly what the reference's powersync_clear empties")
  void clearMatchesTheReference(int flags) throws Exception {
    Path populated = populated();
    Path byReference = copy(populated, directory.resolve("by-reference.db"));
    Path byUs = copy(populated, directory.resolve("by-us.db"));
    List<String> before = everyRow(populated);

    withReference(byReference, "SELECT powersync_clear(" + flags + ")");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(byUs)) {
      SyncClient.create(store).clear(ClearFlags.of(flags));
    }

    assertThat(everyRow(byUs)).isEqualTo(everyRow(byReference)).isNotEqualTo(before);
    assertThat(everyRow(byUs))
        .contains("checkpoint_user_sequence " + ALICE + "|41", "user_table 1", "ps_kv client_id|test-client")
        .noneMatch(row -> row.startsWith("ps_kv") && row.contains("checkpoint_request_id"))
        .noneMatch(row -> row.startsWith("ps_crud "));
  }

  @org.junit.jupiter.api.Test
  @DisplayName("during an iteration: a soft clear is refused and changes nothing; a hard clear unseeds")
  void clearDuringAnIteration() throws Exception {
    Path file = populated();
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      SyncClient client = SyncClient.create(store);
      UserKey alice = UserKey.forUserId("alice");
      client.start(io.checkpoints.ports.CheckpointMode.REQUESTS, alice);
      client.sequence().seed(io.checkpoints.ports.CheckpointRequestId.of(50));
      List<String> before = everyRow(file);
      for (int soft : new int[] {2, 3, 6, -1}) {
        assertThatThrownBy(() -> client.clear(ClearFlags.of(soft)))
            .isInstanceOf(io.checkpoints.ports.CheckpointStateException.class)
            .hasMessage("Cannot clear or trigger resync while a sync iteration is active.");
        assertThat(everyRow(file)).isEqualTo(before);
      }
      client.clear(ClearFlags.HARD);
      assertThat(client.isIterationActive()).isTrue();
      assertThatThrownBy(() -> client.sequence().next())
          .hasMessage("Checkpoint request state has not been seeded");
      assertThat(Reads.counter(store)).isEmpty();
      // The per-user sequence survived: the next initial request continues above it.
      assertThat(client.start(io.checkpoints.ports.CheckpointMode.REQUESTS, alice).orElseThrow().id())
          .isEqualTo(io.checkpoints.ports.CheckpointRequestId.of(50));
    }
  }

  /** Every row of every table, table by table, rows sorted. */
  private static List<String> everyRow(Path file) throws Exception {
    try (Connection connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      List<String> rows = new ArrayList<>();
      for (String table : Sql.rows(connection,
          "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        List<String> tableRows = Sql.rows(connection, "SELECT * FROM \"" + table + "\"");
        tableRows.sort(null);
        rows.add("table " + table);
        tableRows.forEach(row -> rows.add(table + " " + row));
      }
      return rows;
    }
  }
}
