package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/sqlite.md, run, so that they do not rot. */
class SqliteDocsExampleTest {

  @TempDir Path directory;

  @Test
  @DisplayName("docs/sqlite.md: a store of its own, and the SQL functions on a joined connection")
  void examples() throws Exception {
    Path file = directory.resolve("app.db");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      SyncClient client = SyncClient.create(store);
      client.start(CheckpointMode.REQUESTS);
      client.sequence().seed(CheckpointRequestId.of(41));
      assertThat(client.sequence().next()).isEqualTo(CheckpointRequestId.of(42));
    }

    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      SyncClient client = SyncClient.create(SqliteCheckpointStore.join(connection));
      client.start(CheckpointMode.REQUESTS);
      SqliteControlFunctions.register(connection, client.control());
      Sql.execute(connection, "BEGIN IMMEDIATE");
      assertThat(Sql.outcome(connection, "SELECT powersync_control('seed_checkpoint_request_id', '42')"))
          .isEqualTo("integer 42");
      assertThat(Sql.outcome(connection, "SELECT powersync_next_checkpoint_request_id()"))
          .isEqualTo("integer 43");
      Sql.execute(connection, "COMMIT");
    }
  }
}
