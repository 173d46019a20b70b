package io.checkpoints.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteConnections;
import io.checkpoints.adapter.sqlite.SqliteControlFunctions;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.UserKey;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two deliberate deviations that a replay script cannot show, asserted on both sides: every
 * replay event is its own transaction (deviation 4), and replays have no user (deviation 5).
 */
class DeviationsAtSqlLevelTest {

  private static final String TARGET = "target_checkpoint_request_id";

  @TempDir
  Path directory;

  @Test
  void deviation4_theReferenceArmsOnlyOnTheFirstWriteOfATransaction() throws Exception {
    try (Connection reference = ReferenceCore.get().openInMemory()) {
      ReferenceCore.initialize(reference);
      try (Statement sql = reference.createStatement()) {
        sql.execute("BEGIN");
        sql.execute("INSERT INTO powersync_crud(op, id, type, data) VALUES('PUT', 'a', 'items', '{}')");
        sql.execute("SELECT powersync_control('target_checkpoint_request_id', 7)");
        sql.execute("INSERT INTO powersync_crud(op, id, type, data) VALUES('PUT', 'b', 'items', '{}')");
        sql.execute("COMMIT");
      }
      assertThat(kv(reference, TARGET)).isEqualTo(7L);
    }
  }

  @Test
  void deviation4_thisLibraryReArmsOnEveryWriteOfATransaction() throws Exception {
    Path file = directory.resolve("ours.db");
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      SqliteControlFunctions.register(connection, SyncClient.create(store).control());
      try (Statement sql = connection.createStatement()) {
        sql.execute("BEGIN IMMEDIATE");
        sql.execute("INSERT INTO ps_crud(data, tx_id) VALUES('{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}', 1)");
        sql.execute("SELECT powersync_control('target_checkpoint_request_id', 7)");
        sql.execute("INSERT INTO ps_crud(data, tx_id) VALUES('{\"op\":\"PUT\",\"id\":\"b\",\"type\":\"items\",\"data\":{}}', 1)");
        sql.execute("COMMIT");
      }
      assertThat(kv(connection, TARGET)).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Test
  void deviation5_theReferenceRestartsAtOneAfterAClear() throws Exception {
    try (Connection reference = ReferenceCore.get().openInMemory()) {
      ReferenceCore.initialize(reference);
      ReferenceCore.inTransaction(reference, "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')");
      ReferenceCore.inTransaction(reference, "SELECT powersync_control('seed_checkpoint_request_id', 7)");
      ReferenceCore.inTransaction(reference, "SELECT powersync_control('next_checkpoint_request_id', NULL)");
      ReferenceCore.inTransaction(reference, "SELECT powersync_control('stop', NULL)");
      ReferenceCore.inTransaction(reference, "SELECT powersync_clear(0)");
      String instructions = queryText(reference,
          "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')");
      assertThat(instructions).contains("\"checkpoint_request_id\":\"1\"");
    }
  }

  @Test
  void deviation5_thisLibraryContinuesTheUsersSequenceAfterAClear() {
    UserKey user = UserKey.forUserId("user-1");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("ours.db"))) {
      SyncClient client = SyncClient.create(store);
      client.start(CheckpointMode.REQUESTS, user);
      client.sequence().seed(CheckpointRequestId.of(7));
      client.sequence().next();
      client.stop();
      client.clear(ClearFlags.HARD);
      assertThat(client.sequence().current()).as("the clear deleted the counter").isEmpty();
      assertThat(client.start(CheckpointMode.REQUESTS, user).orElseThrow().id())
          .isEqualTo(CheckpointRequestId.of(8));
      assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().id())
          .as("without a user, exactly the reference's behaviour")
          .isEqualTo(CheckpointRequestId.of(1));
    }
  }

  private static long kv(Connection connection, String key) throws SQLException {
    try (Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery("SELECT value FROM ps_kv WHERE key = '" + key + "'")) {
      assertThat(rows.next()).as("ps_kv has %s", key).isTrue();
      return rows.getLong(1);
    }
  }

  private static String queryText(Connection connection, String query) throws SQLException {
    try (Statement sql = connection.createStatement()) {
      sql.execute("BEGIN");
      try (ResultSet rows = sql.executeQuery(query)) {
        rows.next();
        String text = rows.getString(1);
        sql.execute("COMMIT");
        return text;
      }
    }
  }
}
