package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/h2.md, run, so that it does not rot. */
class H2DocsExampleTest {

  @TempDir Path directory;

  @Test
  @DisplayName("docs/h2.md: a store on a file, one in memory, and one joined to the host's transaction")
  void examples() throws Exception {
    Path file = directory.resolve("app.db");
    try (H2CheckpointStore store = H2CheckpointStore.open(file)) { // H2's file: app.db.mv.db
      SyncClient client = SyncClient.create(store);
      client.start(CheckpointMode.REQUESTS);
      client.sequence().seed(CheckpointRequestId.of(41));
      assertThat(client.sequence().next()).isEqualTo(CheckpointRequestId.of(42));
    }

    try (H2CheckpointStore store = H2CheckpointStore.openInMemory()) {
      SyncClient client = SyncClient.create(store);
      client.barrier().recordLocalWrite(LocalWrite.put("todos", "t1", "{}"));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
    }

    try (Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      SyncClient client = SyncClient.create(H2CheckpointStore.join(connection));
      client.start(CheckpointMode.REQUESTS);
      connection.setAutoCommit(false);
      client.sequence().seed(CheckpointRequestId.of(42));
      CheckpointRequestId id = client.sequence().next();
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES"
          + " ('{\"op\":\"PUT\",\"id\":\"t2\",\"type\":\"todos\",\"data\":{}}')");
      connection.commit();
      assertThat(id).isEqualTo(CheckpointRequestId.of(43));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
    }
  }
}
