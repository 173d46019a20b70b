package io.checkpoints.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Databases our SQLite store created, in several states, opened by the PowerSync Kotlin SDK: it
 * opens them, keeps the counter, holds downloads while the gate says so, and a local write with
 * its upload takes the gate over.
 */
class OurDatabasesOpenedBySdkTest extends InteropTest {

  /** Creates {@code name} with our store and seeds it in one transaction. */
  private Path ourDatabase(String name, Consumer<CheckpointTransaction> seed) {
    Path file = directory.resolve(name);
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        seed.accept(tx);
        return null;
      });
    }
    return file;
  }

  @Test
  void aFreshDatabaseOpensAndSyncs() {
    Path file = ourDatabase("fresh.db", tx -> { });
    backend = new Backend(Duration.ZERO);
    backend.putTodo("alice", "t1", "server");
    try (Sdk sdk = Sdk.open(directory, file.getFileName().toString())) {
      sdk.connect(Connector.forUser(backend.endpoint(), "alice"));
      sdk.awaitUntil("t1 arrives", () -> sdk.title("t1").equals(Optional.of("server")));
    }
  }

  @Test
  void aSeededCounterAndUserSequencesAreKept() {
    Path file = ourDatabase("counter.db", tx -> {
      tx.state().setLastRequested(CheckpointRequestId.of(41));
      tx.userSequences().raise(UserKey.forUserId("alice"), CheckpointRequestId.of(40));
    });
    try (Sdk sdk = Sdk.open(directory, file.getFileName().toString())) {
      assertThat(sdk.kv("last_requested_checkpoint_request_id")).isEqualTo("41");
      assertThat(sdk.count("SELECT count(*) FROM checkpoint_user_sequence")).isEqualTo(1);
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        assertThat(tx.state().lastRequested()).contains(CheckpointRequestId.of(41));
        assertThat(tx.userSequences().highest(UserKey.forUserId("alice")))
            .contains(CheckpointRequestId.of(40));
        return null;
      });
    }
  }

  @Test
  void aConcreteTargetHoldsDownloadsUntilALocalWriteAndUploadTakeTheGateOver() {
    Path file = ourDatabase("target.db", tx -> tx.state().setTarget(CheckpointRequestId.of(7)));
    backend = new Backend(Duration.ZERO);
    backend.putTodo("alice", "t1", "server");
    try (Sdk sdk = Sdk.open(directory, file.getFileName().toString())) {
      long connectedAt = System.nanoTime();
      sdk.connect(Connector.forUser(backend.endpoint(), "alice"));
      sdk.awaitUntil("the first checkpoint and its data are downloaded",
          () -> backend.logged("<- {\"checkpoint_complete\"", connectedAt).size() >= 1
              && sdk.count("SELECT count(*) FROM ps_oplog") == 1);
      backend.service.publishCheckpoint();
      backend.service.publishCheckpoint();
      sdk.awaitUntil("two more checkpoints arrived",
          () -> backend.logged("<- {\"checkpoint_complete\"", connectedAt).size() >= 3);
      assertThat(sdk.title("t1")).as("held: target 7 was never acknowledged").isEmpty();

      sdk.execute("INSERT INTO todos (id, title, status) VALUES ('t2', 'mine', 'open')");

      sdk.awaitUntil("the gate is taken over and opens", () -> sdk.title("t1").isPresent()
          && sdk.count("SELECT count(*) FROM ps_crud") == 0
          && sdk.count("SELECT count(*) FROM ps_oplog WHERE row_id = 't2'") == 1);
      assertThat(backend.serverTitle("alice", "t2")).contains("mine");
    }
  }

  @Test
  void queuedWritesAreUploadedByTheSdk() {
    Path file = ourDatabase("queued.db", tx -> tx.enqueueArmingGate(
        LocalWrite.put("todos", "t1", "{\"title\":\"queued by us\",\"status\":\"open\"}")));
    backend = new Backend(Duration.ZERO);
    try (Sdk sdk = Sdk.open(directory, file.getFileName().toString())) {
      assertThat(sdk.count("SELECT count(*) FROM ps_crud")).isEqualTo(1);
      Connector connector = Connector.forUser(backend.endpoint(), "alice");
      sdk.connect(connector);
      sdk.awaitUntil("uploaded and applied", () -> sdk.count("SELECT count(*) FROM ps_crud") == 0
          && sdk.title("t1").equals(Optional.of("queued by us")));
      assertThat(backend.serverTitle("alice", "t1")).contains("queued by us");
    }
  }
}
