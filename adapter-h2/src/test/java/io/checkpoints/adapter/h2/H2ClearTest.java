package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code clear(flags)} on H2 as on SQLite: every {@code ps_kv} key but the client id and the queue
 * go, the per-user sequence stays (so ids of a user never go backwards), and the PowerSync tables a
 * host may keep in the same database are emptied with the reference's rules.
 */
class H2ClearTest {

  private static final UserKey ALICE = UserKey.forUserId("alice");

  @TempDir Path directory;

  /** Populates PowerSync-named tables, as a host might keep synced data next to the store. */
  private static void populate(Connection connection) throws Exception {
    for (String statement : List.of(
        "CREATE TABLE ps_buckets(id INT PRIMARY KEY, name VARCHAR, last_applied_op BIGINT, last_op BIGINT)",
        "INSERT INTO ps_buckets VALUES (1, 'b1', 11, 12)",
        "CREATE TABLE ps_oplog(bucket INT, op_id BIGINT)",
        "INSERT INTO ps_oplog VALUES (1, 12)",
        "CREATE TABLE ps_untyped(type VARCHAR, id VARCHAR)",
        "INSERT INTO ps_untyped VALUES ('t', 'u1')",
        "CREATE TABLE ps_sync_state(priority INT)",
        "INSERT INTO ps_sync_state VALUES (1)",
        "CREATE TABLE ps_data__items(id VARCHAR)",
        "INSERT INTO ps_data__items VALUES ('i1')",
        "CREATE TABLE ps_data_local(id VARCHAR)",
        "INSERT INTO ps_data_local VALUES ('l1')",
        "CREATE TABLE \"ps_data__quoted\"(id VARCHAR)",
        "INSERT INTO \"ps_data__quoted\" VALUES ('q1')",
        "CREATE TABLE psxdata__lookalike(id VARCHAR)",
        "INSERT INTO psxdata__lookalike VALUES ('x')",
        "CREATE TABLE user_table(a INT)",
        "INSERT INTO user_table VALUES (1)")) {
      Sql.execute(connection, statement);
    }
  }

  private static String contents(Connection connection) throws Exception {
    StringBuilder result = new StringBuilder();
    for (String table : List.of("ps_buckets", "ps_oplog", "ps_untyped", "ps_sync_state", "ps_data__items",
        "ps_data_local", "\"ps_data__quoted\"", "psxdata__lookalike", "user_table", "ps_crud",
        "checkpoint_user_sequence")) {
      result.append(table.replace("\"", "")).append('=').append(Sql.value(connection, "SELECT count(*) FROM " + table));
      result.append(' ');
    }
    result.append("applied=").append(Sql.value(connection, "SELECT max(last_applied_op) FROM ps_buckets"));
    result.append(" kv=").append(Sql.strings(connection, "SELECT \"KEY\" FROM ps_kv ORDER BY \"KEY\""));
    return result.toString();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3})
  @DisplayName("clear empties what the reference's powersync_clear empties, keeps the client id and the per-user sequence")
  void clearFlags(int flags) throws Exception {
    Path file = directory.resolve("clear-" + flags);
    try (H2CheckpointStore store = H2CheckpointStore.open(file);
        Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      populate(connection);
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(9));
        tx.state().setLastRequested(CheckpointRequestId.of(8));
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}"));
        tx.userSequences().raise(ALICE, CheckpointRequestId.of(41));
        return null;
      });
      store.inTransaction(tx -> {
        tx.clear(ClearFlags.of(flags));
        return null;
      });
      String soft = (flags & 2) != 0 ? "ps_buckets=1 ps_oplog=1" : "ps_buckets=0 ps_oplog=0";
      String local = (flags & 1) != 0 ? "ps_data_local=0" : "ps_data_local=1";
      String applied = (flags & 2) != 0 ? "applied=0" : "applied=null";
      assertThat(contents(connection)).isEqualTo(soft + " ps_untyped=0 ps_sync_state=0 ps_data__items=0 "
          + local + " ps_data__quoted=0 psxdata__lookalike=1 user_table=1 ps_crud=0"
          + " checkpoint_user_sequence=1 " + applied + " kv=[client_id]");
    }
  }

  @Test
  @DisplayName("through the domain: a soft clear is refused during an iteration, a hard one unseeds, the user's ids go on above")
  void clearThroughTheDomain() {
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("domain"))) {
      SyncClient client = SyncClient.create(store);
      client.start(CheckpointMode.REQUESTS, ALICE);
      client.sequence().seed(CheckpointRequestId.of(41));
      assertThat(client.sequence().next()).isEqualTo(CheckpointRequestId.of(42));

      assertThatThrownBy(() -> client.clear(ClearFlags.of(ClearFlags.SOFT_BIT)))
          .isInstanceOf(CheckpointStateException.class);
      assertThat(client.sequence().current()).as("a refused clear changes nothing").contains(CheckpointRequestId.of(42));

      client.clear(ClearFlags.HARD);
      assertThat(client.sequence().current()).isEmpty();
      assertThatThrownBy(() -> client.sequence().next()).isInstanceOf(CheckpointStateException.class);
      client.stop();

      CheckpointRequest initial = client.start(CheckpointMode.REQUESTS, ALICE).orElseThrow();
      assertThat(initial.id()).as("the per-user sequence survived the clear").isEqualTo(CheckpointRequestId.of(42));
      client.sequence().seed(CheckpointRequestId.of(1));
      assertThat(client.sequence().next()).as("next continues above the user's highest id").isEqualTo(CheckpointRequestId.of(43));
    }
  }
}
