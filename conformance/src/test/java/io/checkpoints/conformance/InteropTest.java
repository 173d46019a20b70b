package io.checkpoints.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.reference.ReferenceCore;
import io.checkpoints.testkit.replay.ReplayComparison;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One PowerSync database file, written by one implementation and read by the other: the
 * reference reads the checkpoint state this library wrote, and the other way round, with the same
 * initial request and the same gate decisions.
 */
class InteropTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path directory;
  private Path file;

  @BeforeEach
  void createAPowerSyncDatabaseWithTheReference() throws Exception {
    file = directory.resolve("powersync.db");
    try (Connection reference = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(reference);
      ReferenceCore.inTransaction(reference,
          "INSERT OR REPLACE INTO ps_kv(key, value) VALUES('client_id', 'interop-client')");
    }
  }

  @Test
  void theReferenceReadsTheStateThisLibraryWrote() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      SyncClient client = SyncClient.create(store);
      assertThat(client.start(CheckpointMode.REQUESTS).orElseThrow().clientId())
          .isEqualTo(ClientId.of("interop-client"));
      client.sequence().seed(CheckpointRequestId.of(41));
      client.sequence().next();
      client.barrier().recordLocalWrite(LocalWrite.put("items", "a", "{\"n\":1}"));
      client.barrier().setTarget(CheckpointRequestId.of(42));
      client.stop();
    }

    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      ReferenceReplay reference = new ReferenceReplay(connection);
      assertPrinted(run(reference, "{\"start\": {\"checkpoint_mode\": \"requests\"}}"),
          "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"interop-client\", \"checkpoint_request_id\": \"42\"}}}");
      assertPrinted(run(reference, "{\"state\": null}"),
          "{\"ok\": {\"target\": 42, \"last_requested\": 42, \"last_seen\": null, \"last_applied\": null, \"upload_queue\": 1}}");
      // Our queued write holds the reference back; 41 does not reach our target 42; 42 does.
      assertPrinted(fullCheckpoint(reference, 1, 42), "{\"ok\": [{\"held\": true}]}");
      run(reference, "{\"upload_done\": null}");
      assertPrinted(fullCheckpoint(reference, 2, 41), "{\"ok\": [{\"held\": true}]}");
      assertPrinted(fullCheckpoint(reference, 3, 42), "{\"ok\": [{\"applied\": 42}]}");
    }
  }

  @Test
  void thisLibraryReadsTheStateTheReferenceWrote() throws Exception {
    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      ReferenceReplay reference = new ReferenceReplay(connection);
      for (String event : List.of(
          "{\"start\": {\"checkpoint_mode\": \"requests\"}}", "{\"seed\": 41}", "{\"next\": null}",
          "{\"local_write\": \"a\"}", "{\"target\": 42}", "{\"stop\": null}")) {
        assertThat(run(reference, event).has("ok")).as("%s", event).isTrue();
      }
    }

    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      SyncClient client = SyncClient.create(store);
      assertThat(client.start(CheckpointMode.REQUESTS))
          .contains(new CheckpointRequest(ClientId.of("interop-client"), CheckpointRequestId.of(42)));
      assertThat(client.sequence().current()).contains(CheckpointRequestId.of(42));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(42));
      assertThat(fullCheckpoint(client, "1", 42)).as("the reference's queued write holds us back")
          .containsExactly(LineOutcome.HELD);
      store.inTransaction(tx -> {
        tx.uploadQueue().removeThrough(Long.MAX_VALUE);
        return null;
      });
      assertThat(fullCheckpoint(client, "2", 41)).containsExactly(LineOutcome.HELD);
      assertThat(fullCheckpoint(client, "3", 42))
          .containsExactly(new LineOutcome.Applied(Optional.of(WriteCheckpoint.of(42))));
    }
  }

  private static List<LineOutcome> fullCheckpoint(SyncClient client, String opId, long writeCheckpoint) {
    client.handleLine(new SyncLine.Checkpoint(opId, Optional.of(WriteCheckpoint.of(writeCheckpoint))));
    return client.handleLine(new SyncLine.CheckpointComplete(opId));
  }

  private static JsonNode fullCheckpoint(ReferenceReplay reference, int opId, long writeCheckpoint) throws Exception {
    run(reference, "{\"line\": {\"checkpoint\": {\"last_op_id\": \"" + opId + "\", \"write_checkpoint\": \""
        + writeCheckpoint + "\", \"buckets\": []}}}");
    return run(reference, "{\"line\": {\"checkpoint_complete\": {\"last_op_id\": \"" + opId + "\"}}}");
  }

  private static JsonNode run(ReferenceReplay reference, String event) throws Exception {
    return reference.run(JSON.readTree(event));
  }

  /** Compares replay output as JSON values, numbers by value (an int and a long print alike). */
  private static void assertPrinted(JsonNode actual, String expected) {
    assertThat(ReplayComparison.sameOutput(expected, actual.toString()))
        .as("expected %s, got %s", expected, actual)
        .isTrue();
  }
}
