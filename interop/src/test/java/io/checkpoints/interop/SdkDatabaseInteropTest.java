package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.cli.CheckpointsCommand;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Databases the PowerSync Kotlin SDK made, in three states, read by {@code checkpoints inspect}
 * (in process) and by our SQLite store: both see the SDK's client id, queue and gate.
 */
class SdkDatabaseInteropTest extends InteropTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSyncedSdkDatabaseHasNoGate() throws Exception {
    backend = new Backend(Duration.ZERO);
    backend.putTodo("alice", "t1", "server");
    Path file;
    String clientId;
    try (Sdk sdk = Sdk.open(directory, "synced.db")) {
      sdk.diagnostics = backend::describeLog;
      sdk.connect(Connector.forUser(backend.endpoint(), "alice"));
      sdk.awaitSettled();
      sdk.execute("INSERT INTO todos (id, title, status) VALUES ('t2', 'mine', 'open')");
      sdk.awaitUntil("synced with the upload applied", () -> sdk.title("t1").isPresent()
          && sdk.count("SELECT count(*) FROM ps_crud") == 0
          && sdk.count("SELECT count(*) FROM ps_oplog WHERE row_id = 't2'") == 1
          && "1".equals(sdk.kv("last_applied_checkpoint_request_id")));
      sdk.disconnect();
      clientId = clientId(sdk);
      file = sdk.file;
    }

    JsonNode inspected = inspect(file);
    assertThat(inspected.path("diagnosis").path("code").asText()).isEqualTo("synced");
    assertThat(inspected.path("client_id").asText()).isEqualTo(clientId);
    assertThat(inspected.path("schema_version").asInt()).isEqualTo(14);
    assertThat(inspected.path("upload_queue").asLong()).isZero();
    assertThat(inspected.path("target_checkpoint_request_id").asLong()).isEqualTo(1);
    assertThat(inspected.path("last_seen_checkpoint_request_id").asLong()).isEqualTo(1);
    assertThat(inspected.path("last_applied_checkpoint_request_id").asLong()).isEqualTo(1);

    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        assertThat(tx.state().clientId().value()).isEqualTo(clientId);
        assertThat(tx.uploadQueue().isEmpty()).isTrue();
        assertThat(tx.state().target()).contains(CheckpointRequestId.of(1));
        assertThat(tx.state().lastSeen()).contains(WriteCheckpoint.of(1));
        assertThat(tx.state().lastApplied()).contains(WriteCheckpoint.of(1));
        return null;
      });
    }
  }

  @Test
  void anSdkDatabaseWithAQueuedWriteHoldsDownloads() throws Exception {
    Path file;
    String clientId;
    try (Sdk sdk = Sdk.open(directory, "queued.db")) {
      sdk.execute("INSERT INTO todos (id, title, status) VALUES ('t1', 'offline', 'open')");
      clientId = clientId(sdk);
      file = sdk.file;
    }

    JsonNode inspected = inspect(file);
    assertThat(inspected.path("diagnosis").path("code").asText()).isEqualTo("uploads_pending");
    assertThat(inspected.path("client_id").asText()).isEqualTo(clientId);
    assertThat(inspected.path("upload_queue").asLong()).isEqualTo(1);
    assertThat(inspected.path("target_checkpoint_request_id").asLong()).isEqualTo(Long.MAX_VALUE);

    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        assertThat(tx.state().clientId().value()).isEqualTo(clientId);
        assertThat(tx.uploadQueue().size()).isEqualTo(1);
        assertThat(tx.state().target()).contains(CheckpointRequestId.MAX);
        return null;
      });
    }
  }

  @Test
  void anSdkDatabaseWaitingForItsWriteCheckpointHoldsTheGate() throws Exception {
    // Replication never reaches the write checkpoint while the SDK is connected.
    backend = new Backend(Duration.ofMinutes(10));
    Path file;
    String clientId;
    try (Sdk sdk = Sdk.open(directory, "held.db")) {
      sdk.diagnostics = backend::describeLog;
      Connector connector = Connector.forUser(backend.endpoint(), "alice");
      sdk.connect(connector);
      sdk.awaitSettled();
      sdk.execute("INSERT INTO todos (id, title, status) VALUES ('t1', 'uploaded', 'open')");
      sdk.awaitUntil("uploaded with its write checkpoint as the target",
          () -> sdk.count("SELECT count(*) FROM ps_crud") == 0
              && "1".equals(sdk.kv("target_checkpoint_request_id")));
      sdk.disconnect();
      clientId = clientId(sdk);
      file = sdk.file;
    }

    JsonNode inspected = inspect(file);
    assertThat(inspected.path("diagnosis").path("code").asText())
        .isEqualTo("awaiting_acknowledgement");
    assertThat(inspected.path("client_id").asText()).isEqualTo(clientId);
    assertThat(inspected.path("upload_queue").asLong()).isZero();
    assertThat(inspected.path("target_checkpoint_request_id").asLong()).isEqualTo(1);
    assertThat(inspected.path("last_seen_checkpoint_request_id").isNull()).isTrue();

    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        assertThat(tx.state().clientId().value()).isEqualTo(clientId);
        assertThat(tx.uploadQueue().isEmpty()).isTrue();
        assertThat(tx.state().target()).contains(CheckpointRequestId.of(1));
        assertThat(tx.state().lastSeen()).isEmpty();
        return null;
      });
    }
  }

  private static String clientId(Sdk sdk) {
    return Sdk.<String>await(continuation -> sdk.database.get(
        "SELECT value FROM ps_kv WHERE key = 'client_id'", java.util.List.of(),
        cursor -> cursor.getString(0), continuation));
  }

  private static JsonNode inspect(Path file) throws Exception {
    CommandLine commandLine = CheckpointsCommand.commandLine(new ByteArrayInputStream(new byte[0]));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int status = commandLine.execute("inspect", "--json", file.toString());
    assertThat(status).as("inspect's exit status; it printed %s", err).isZero();
    return JSON.readTree(out.toString());
  }
}
