package io.checkpoints.adapter.jdbc.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local writes arm the gate on a SQL store, through the Java API and through SQL straight into
 * {@code ps_crud}, every write and not only the first of a transaction; declared insert-only
 * writes do not; data that is not a JSON object is refused and changes nothing. A subclass names
 * the adapter and adds the cases only its database has.
 */
public abstract class SqlLocalWritesContract {

  protected static final String TARGET = "target_checkpoint_request_id";
  protected static final String SEEN = "last_seen_checkpoint_request_id";
  protected static final String APPLIED = "last_applied_checkpoint_request_id";
  protected static final String COUNTER = "last_requested_checkpoint_request_id";

  /** One PowerSync write of table {@code items}, as an SDK's view trigger inserts it. */
  protected static final String SQL_WRITE = "INSERT INTO ps_crud(data, tx_id) VALUES"
      + " ('{\"op\":\"PUT\",\"id\":\"a\",\"type\":\"items\",\"data\":{}}', 1)";

  @TempDir protected Path directory;

  /** @return the adapter under test */
  protected abstract SqlStores stores();

  /**
   * Opens the gate in plain SQL: target 3, seen 3, applied 3, counter 9. The quoted upper-case
   * names are H2's spelling of the columns, which SQLite matches without case.
   */
  protected static void openGate(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DELETE FROM ps_kv WHERE \"KEY\" IN ('" + TARGET + "', '" + SEEN + "', '"
          + APPLIED + "', '" + COUNTER + "')");
      statement.execute("INSERT INTO ps_kv(\"KEY\", \"VALUE\") VALUES ('" + TARGET + "', 3), ('"
          + SEEN + "', 3), ('" + APPLIED + "', 3), ('" + COUNTER + "', 9)");
    }
  }

  /** @return target / seen / applied / counter as the adapter's plain SQL reads them */
  protected String gate(Connection connection) throws SQLException {
    return stores().stored(connection, TARGET) + " / " + stores().stored(connection, SEEN) + " / "
        + stores().stored(connection, APPLIED) + " / " + stores().stored(connection, COUNTER);
  }

  /** @return what {@link #gate} reads after {@link #openGate} */
  protected String open() {
    return stores().integer(3) + " / " + stores().integer(3) + " / " + stores().integer(3) + " / "
        + stores().integer(9);
  }

  /** @return what {@link #gate} reads after a local write armed the open gate */
  protected String armed() {
    return stores().integer(Long.MAX_VALUE) + " / absent / absent / " + stores().integer(9);
  }

  protected static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  protected static long count(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  @DisplayName("an SQL insert into ps_crud on a store's connection arms the gate in the same statement")
  void sqlWriteOnTheStoresConnectionArms() throws Exception {
    try (Connection connection = stores().connect(directory.resolve("db"));
        JdbcBackedStore store = stores().join(connection)) {
      assertThat(store.ownsConnection()).isFalse();
      openGate(connection);
      assertThat(gate(connection)).isEqualTo(open());
      execute(connection, SQL_WRITE);
      assertThat(gate(connection)).isEqualTo(armed());
      assertThat(stores().stored(connection, "client_id"))
          .isEqualTo(stores().text(Reads.clientId(store).value()));
    }
  }

  @Test
  @DisplayName("every SQL write of a transaction re-arms the gate, not only the first (deviation 12.4)")
  void everyWriteArms() throws Exception {
    try (Connection connection = stores().connect(directory.resolve("db"));
        JdbcBackedStore store = stores().join(connection)) {
      assertThat(store.ownsConnection()).isFalse();
      stores().begin(connection);
      execute(connection, SQL_WRITE);
      openGate(connection);
      execute(connection, SQL_WRITE);
      stores().commit(connection);
      assertThat(gate(connection)).isEqualTo(armed());
    }
  }

  @Test
  @DisplayName("SQL writes to declared insert-only tables do not arm; others, and unreadable data, do")
  void declaredInsertOnlyTables() throws Exception {
    try (Connection connection = stores().connect(directory.resolve("db"));
        JdbcBackedStore store = stores().join(connection, "logs", "audit")) {
      assertThat(store.ownsConnection()).isFalse();
      openGate(connection);
      // The reference's insert-only writes put the members in this order.
      execute(connection, "INSERT INTO ps_crud(data, tx_id) VALUES"
          + " ('{\"op\":\"PUT\",\"type\":\"logs\",\"id\":\"l1\",\"data\":{\"msg\":\"hi\"}}', 1)");
      execute(connection, "INSERT INTO ps_crud(data) VALUES ('{\"op\":\"PUT\",\"type\":\"audit\",\"id\":\"x\"}')");
      assertThat(gate(connection)).isEqualTo(open());

      for (String data : List.of("'not json'", "NULL", "'{\"op\":\"PUT\",\"id\":\"l\"}'", "'[\"logs\"]'",
          "'{\"type\":\"logs\"'", "'{\"type\":\"items\"}'")) {
        openGate(connection);
        execute(connection, "INSERT INTO ps_crud(data) VALUES (" + data + ")");
        assertThat(gate(connection)).as("data %s", data).isEqualTo(armed());
      }
      assertThat(count(connection, "SELECT count(*) FROM ps_crud")).isEqualTo(8);
    }
  }

  @Test
  @DisplayName("through the Java API the domain arms, unless the write is insert-only; the queue alone never arms")
  void javaApiWrites() {
    try (JdbcBackedStore store = stores().open(directory.resolve("db"))) {
      SyncClient client = SyncClient.create(store);
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.state().setLastSeen(WriteCheckpoint.of(3));
        return null;
      });
      client.barrier().recordLocalWrite(LocalWrite.put("logs", "l1", "{\"msg\":\"hi\"}").asInsertOnly());
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));

      store.inTransaction(tx -> tx.uploadQueue().enqueue(LocalWrite.put("items", "i1", "{}")));
      assertThat(client.barrier().target()).as("the queue port does not arm").contains(CheckpointRequestId.of(3));

      client.barrier().recordLocalWrite(LocalWrite.put("items", "i2", "{\"n\":1}"));
      assertThat(client.barrier().target()).contains(CheckpointRequestId.MAX);
      assertThat(Reads.lastSeen(store)).isEmpty();

      // The pause around the store's own insert does not leak: SQL writes still arm.
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        tx.unwrap(Handle.class).orElseThrow().execute(SQL_WRITE);
        assertThat(tx.state().target()).contains(CheckpointRequestId.MAX);
        return null;
      });
    }
  }

  @Test
  @DisplayName("an API write that is not insert-only arms also where the trigger would not: a table"
      + " declared insert-only for SQL, a caller's connection")
  void javaApiWritesArmWhereTheTriggerDoesNot() throws Exception {
    try (JdbcBackedStore owned = stores().open(directory.resolve("owned"), "logs");
        Connection connection = stores().connect(directory.resolve("joined"));
        JdbcBackedStore joined = stores().join(connection, "logs")) {
      for (JdbcBackedStore store : List.of(owned, joined)) {
        SyncClient client = SyncClient.create(store);
        for (String table : List.of("logs", "items")) {
          client.barrier().setTarget(CheckpointRequestId.of(3));
          client.barrier().recordLocalWrite(LocalWrite.put(table, "r", "{}"));
          assertThat(client.barrier().target()).as("%s store, table %s",
              store.ownsConnection() ? "owned" : "joined", table).contains(CheckpointRequestId.MAX);
        }
        client.barrier().setTarget(CheckpointRequestId.of(3));
        client.barrier().recordLocalWrite(LocalWrite.put("items", "r", "{}").asInsertOnly());
        assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));
      }
    }
  }

  @Test
  @DisplayName("data that is not a JSON object: argument error, nothing written")
  void badDataIsRefused() {
    try (JdbcBackedStore store = stores().open(directory.resolve("db"))) {
      SyncClient client = SyncClient.create(store);
      client.barrier().setTarget(CheckpointRequestId.of(3));
      for (String data : List.of("not json", "[1]", "\"text\"", "", "{\"a\":")) {
        assertThatThrownBy(() -> client.barrier().recordLocalWrite(LocalWrite.put("items", "a", data)))
            .isInstanceOf(CheckpointArgumentException.class)
            .hasMessageContaining("must be the text of a JSON object");
      }
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));
      assertThat(Reads.lastSequence(store)).isZero();
      assertThat(Reads.longValue(store, "SELECT next_tx FROM ps_tx")).isEqualTo(1L);
    }
  }

  @Test
  @DisplayName("a batch through the Java API: one tx_id, in order, armed; a refused write leaves nothing")
  void javaApiBatch() {
    try (JdbcBackedStore store = stores().open(directory.resolve("db"), "logs")) {
      SyncClient client = SyncClient.create(store);
      for (String table : List.of("items", "logs")) {
        store.inTransaction(tx -> {
          tx.state().setTarget(CheckpointRequestId.of(3));
          tx.state().setLastSeen(WriteCheckpoint.of(3));
          return null;
        });
        long before = Reads.lastSequence(store);
        List<Long> sequences = client.barrier().recordLocalWrites(List.of(
            LocalWrite.put(table, "a", "{}"), LocalWrite.put("other", "b", "{}").asInsertOnly(),
            LocalWrite.put(table, "c", "{\"n\":1}")));
        assertThat(sequences).as(table).containsExactly(before + 1, before + 2, before + 3);
        assertThat(client.barrier().target()).as(table).contains(CheckpointRequestId.MAX);
        assertThat(Reads.lastSeen(store)).as(table).isEmpty();
      }
      assertThat(Reads.longValue(store, "SELECT count(DISTINCT tx_id) FROM ps_crud")).isEqualTo(2L);

      client.barrier().setTarget(CheckpointRequestId.of(3));
      assertThatThrownBy(() -> client.barrier().recordLocalWrites(List.of(
          LocalWrite.put("items", "d", "{}"), LocalWrite.put("items", "e", "not json"))))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(3));
      assertThat(Reads.longValue(store, "SELECT count(*) FROM ps_crud")).isEqualTo(6L);
    }
  }
}
