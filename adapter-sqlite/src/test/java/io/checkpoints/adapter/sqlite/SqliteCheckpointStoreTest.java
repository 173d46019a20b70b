package io.checkpoints.adapter.sqlite;

import static io.checkpoints.adapter.sqlite.PowerSyncDatabases.version14;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SQLite store itself: the file it creates, its connection settings, the values it refuses to
 * misread, and how it joins a caller's transaction.
 */
class SqliteCheckpointStoreTest {

  @TempDir Path directory;

  // ---------------------------------------------------------------------------------------------
  // The file

  @Test
  @DisplayName("a fresh file is a PowerSync database at schema version 14, plus the per-user table")
  void freshFileIsAPowerSyncDatabase() throws Exception {
    Path file = directory.resolve("fresh.db");
    SqliteCheckpointStore.open(file).close();
    assertThat(schema(file, " WHERE type = 'table'")).extracting(row -> row.substring(0, row.indexOf('|')))
        .containsExactly("checkpoint_user_sequence", "ps_buckets", "ps_crud", "ps_kv", "ps_migration",
            "ps_oplog", "ps_stream_subscriptions", "ps_sync_state", "ps_tx", "ps_untyped",
            "ps_updated_rows", "sqlite_sequence");
    try (Connection connection = plain(file)) {
      assertThat(Sql.value(connection, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(Sql.rows(connection, "SELECT * FROM ps_tx")).containsExactly("1|null|1");
      assertThat(Sql.rows(connection, "SELECT id FROM ps_migration")).containsExactly(
          "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14");
      assertThat(Sql.value(connection, "SELECT down_migrations FROM ps_migration WHERE id = 14"))
          .isEqualTo(SqliteMigrations.downMigration14Json());
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_migration WHERE id > 1"
          + " AND (typeof(down_migrations) <> 'text' OR NOT json_valid(down_migrations))")).isEqualTo(0);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_master WHERE name GLOB 'ps_data_*'")).isEqualTo(0);
    }
    assertThat(SqliteMigrations.migrate(file, 14)).isEqualTo(new SqliteMigrations.Result(14, 14));
    assertThat(SqliteDialect.USER_SEQUENCE_TABLE).doesNotStartWith("ps_data_");
  }

  @Test
  @DisplayName("connections: WAL, the busy timeout and synchronous setting of the options")
  void connectionSettings() throws Exception {
    SqliteStoreOptions options = SqliteStoreOptions.defaults()
        .withBusyTimeout(Duration.ofMillis(1234))
        .withSynchronous(SqliteStoreOptions.Synchronous.FULL);
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), options)) {
      assertThat(Sql.value(connection, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(Sql.value(connection, "PRAGMA busy_timeout")).isEqualTo(1234);
      assertThat(Sql.value(connection, "PRAGMA synchronous")).isEqualTo(2);
    }
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults())) {
      assertThat(Sql.value(connection, "PRAGMA busy_timeout")).isEqualTo(30_000);
      assertThat(Sql.value(connection, "PRAGMA synchronous")).isEqualTo(1);
    }
    assertThatThrownBy(() -> SqliteStoreOptions.defaults().withBusyTimeout(Duration.ZERO))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("busy timeout");
    assertThatThrownBy(() -> SqliteStoreOptions.defaults().withInsertOnlyTables("logs", " "))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("insert-only table names must be non-blank");
  }

  @Test
  @DisplayName("the client id: a UUID for a fresh file, or the one the options give; never changed later")
  void clientId() {
    Path random = directory.resolve("random.db");
    ClientId first;
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(random)) {
      first = store.inTransaction(tx -> tx.state().clientId());
    }
    assertThat(UUID.fromString(first.value())).isNotNull();
    SqliteStoreOptions given = SqliteStoreOptions.defaults().withClientIdIfAbsent(ClientId.of("test-client"));
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(random, given)) {
      assertThat(Reads.clientId(store)).isEqualTo(first);
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("given.db"), given)) {
      assertThat(Reads.clientId(store)).isEqualTo(ClientId.of("test-client"));
      SyncClient client = SyncClient.create(store);
      assertThat(client.start(CheckpointMode.REQUESTS))
          .contains(new CheckpointRequest(ClientId.of("test-client"), CheckpointRequestId.of(1)));
    }
  }

  @Test
  @DisplayName("values it cannot read as their type are storage errors naming the key; nothing is guessed")
  void unreadableValues() throws Exception {
    Path file = directory.resolve("odd.db");
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      for (String planted : List.of("9.2233720368547758e+18", "'7'", "NULL", "x'3132'", "0", "-5")) {
        store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow().execute(
            "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('last_requested_checkpoint_request_id', " + planted + ")"));
        Throwable thrown = catchThrowable(() -> Reads.counter(store));
        assertThat(thrown).as("counter %s", planted)
            .isInstanceOf(CheckpointStorageException.class)
            .hasMessageContaining("ps_kv.last_requested_checkpoint_request_id holds");
      }
      store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow().execute(
          "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('last_seen_checkpoint_request_id', -5)"));
      assertThat(Reads.lastSeen(store)).as("any signed value is a write checkpoint").contains(WriteCheckpoint.of(-5));
    }
  }

  @Test
  @DisplayName("a file whose ps_kv has another shape is refused and left alone")
  void foreignShapesAreRefused() throws Exception {
    Path file = directory.resolve("foreign.db");
    try (Connection connection = plain(file)) {
      Sql.execute(connection, "CREATE TABLE ps_kv(k TEXT, v TEXT)");
    }
    assertThatThrownBy(() -> SqliteCheckpointStore.open(file))
        .isInstanceOf(SqliteFileRefusedException.class)
        .hasMessageContaining("the table ps_kv and no ps_migration table")
        .hasMessageContaining("table ps_kv has the columns (k,v), expected (key,value)");
    assertThat(schema(file, "")).hasSize(1);
  }

  @Test
  @DisplayName("the per-user sequence is keyed by the SHA-256 hex of the user id, never the id itself")
  void userSequenceKeys() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      UserKey alice = UserKey.forUserId("alice@example.com");
      store.inTransaction(tx -> {
        tx.userSequences().raise(alice, CheckpointRequestId.of(7));
        tx.userSequences().raise(alice, CheckpointRequestId.of(5));
        return null;
      });
      Connection connection = store.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
      List<String> rows = store.inTransaction(tx -> rows(connection, "SELECT * FROM checkpoint_user_sequence"));
      assertThat(rows).containsExactly(alice.hex() + "|7").noneMatch(row -> row.contains("alice"));
    }
  }

  @Test
  @DisplayName("a closed store refuses work; closing twice is fine")
  void closedStore() {
    SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"));
    store.close();
    store.close();
    assertThatThrownBy(() -> Reads.target(store))
        .isInstanceOfSatisfying(CheckpointStateException.class, e -> assertThat(e.reason())
            .isEqualTo(CheckpointStateException.Reason.STORE_CLOSED))
        .hasMessage("the SQLite checkpoint store is closed");
  }

  @Test
  @DisplayName("transaction views cannot be used after their transaction")
  void viewsAreConfinedToTheirTransaction() {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      var state = store.inTransaction(tx -> tx.state());
      assertThatThrownBy(state::target).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no longer open");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Joining a caller's transaction

  @Test
  @DisplayName("joined inside the caller's BEGIN IMMEDIATE: the caller commits or rolls back")
  void joinsTheCallersTransaction() throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      assertThat(store.ownsConnection()).isFalse();
      assertThat(store.file()).isEmpty();
      SyncClient client = SyncClient.create(store);

      Sql.execute(connection, "BEGIN IMMEDIATE");
      client.barrier().setTarget(CheckpointRequestId.of(5));
      Sql.execute(connection, "ROLLBACK");
      assertThat(client.barrier().target()).isEmpty();

      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, "CREATE TABLE host_data(x)");
      client.barrier().setTarget(CheckpointRequestId.of(6));
      Sql.execute(connection, "COMMIT");
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(6));
      assertThat(Sql.value(connection, "SELECT count(*) FROM host_data")).isEqualTo(0);
    }
  }

  @Test
  @DisplayName("a failing operation in a caller's transaction is undone alone; the caller's work goes on")
  void failingOperationLeavesTheCallersTransaction() throws Exception {
    try (Connection connection = SqliteConnections.open(directory.resolve("db"), SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      SyncClient client = SyncClient.create(store);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, "CREATE TABLE host_data(x)");
      client.barrier().setTarget(CheckpointRequestId.of(5));
      assertThatThrownBy(() -> client.barrier().recordLocalWrite(LocalWrite.put("items", "a", "nope")))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> client.sequence().seed(CheckpointRequestId.of(3)))
          .hasMessage("No iteration is active");
      Sql.execute(connection, "INSERT INTO host_data VALUES (1)");
      Sql.execute(connection, "COMMIT");
      assertThat(client.barrier().target()).contains(CheckpointRequestId.of(5));
      assertThat(Reads.queueSize(store)).isZero();
      assertThat(Sql.value(connection, "SELECT count(*) FROM host_data")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("joined without an open transaction: each operation is its own committed transaction")
  void joinWithoutATransaction() throws Exception {
    Path file = directory.resolve("db");
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(8));
      try (SqliteCheckpointStore other = SqliteCheckpointStore.open(file)) {
        assertThat(Reads.target(other)).contains(CheckpointRequestId.of(8));
      }
      assertThat(connection.getAutoCommit()).isTrue();
    }
  }

  @Test
  @DisplayName("joined on a JDBC connection with auto-commit off, and on a Jdbi handle in its transaction")
  void joinsJdbcAndJdbiTransactions() throws Exception {
    Path file = directory.resolve("db");
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      connection.setAutoCommit(false);
      SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(9));
      connection.rollback();
      assertThat(Reads.target(store)).isEmpty();
      SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(10));
      connection.commit();
      connection.setAutoCommit(true);
      assertThat(Reads.target(store)).contains(CheckpointRequestId.of(10));
    }
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        Handle handle = Jdbi.create(connection).open()) {
      SqliteCheckpointStore store = SqliteCheckpointStore.join(handle, SqliteStoreOptions.defaults());
      handle.useTransaction(h -> {
        SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(11));
        h.rollback();
      });
      assertThat(Reads.target(store)).contains(CheckpointRequestId.of(10));
      handle.useTransaction(h -> SyncClient.create(store).barrier().setTarget(CheckpointRequestId.of(12)));
      assertThat(Reads.target(store)).contains(CheckpointRequestId.of(12));
      store.close();
      assertThat(handle.isClosed()).as("a joined store never closes the caller's handle").isFalse();
    }
  }

  @Test
  @DisplayName("if the caller's rollback undid the arming trigger, the next operation installs it again")
  void armingIsReinstalledAfterACallersRollback() throws Exception {
    Path file = directory.resolve("db");
    SqliteCheckpointStore.open(file).close();
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      Sql.execute(connection, "BEGIN IMMEDIATE");
      SqliteCheckpointStore store = SqliteCheckpointStore.join(connection);
      Sql.execute(connection, "ROLLBACK");
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master")).isEqualTo(0);
      Reads.target(store);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'")).isEqualTo(1);
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES ('{}')");
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
    }
  }

  @Test
  @DisplayName("a store joined in a caller's transaction whose savepoint undid the arming installs it at the next operation")
  void armingUndoneByACallersSavepointIsInstalledAgain() throws Exception {
    Path file = directory.resolve("db");
    SqliteCheckpointStore.open(file).close();
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, "SAVEPOINT caller");
      SqliteCheckpointStore store = SqliteCheckpointStore.join(connection);
      Sql.execute(connection, "ROLLBACK TO SAVEPOINT caller");
      Sql.execute(connection, "RELEASE SAVEPOINT caller");
      Sql.execute(connection, "COMMIT"); // a commit, but not of the installation
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master")).isEqualTo(0);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Reads.target(store);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'")).isEqualTo(1);
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES ('{}')");
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
      Sql.execute(connection, "COMMIT");
    }
  }

  @Test
  @DisplayName("an arming the store committed itself is not checked again in a caller's transaction until a rollback")
  void committedArmingIsCheckedAgainOnlyAfterARollback() throws Exception {
    Path file = directory.resolve("db");
    SqliteCheckpointStore.open(file).close();
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      SqliteCheckpointStore store = SqliteCheckpointStore.join(connection); // its own transaction
      Sql.execute(connection, "DROP TRIGGER temp." + SqliteDialect.ARMING_TRIGGER); // by hand
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Reads.target(store);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'"))
          .as("no check inside the caller's transaction").isEqualTo(0);
      Sql.execute(connection, "ROLLBACK");
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Reads.target(store);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'"))
          .as("checked again after the rollback").isEqualTo(1);
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES ('{}')");
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
      Sql.execute(connection, "COMMIT");
    }
  }

  @Test
  @DisplayName("a trigger dropped by hand on a joined connection is installed again by the next operation outside a transaction")
  void droppedTriggerIsInstalledAgainOutsideATransaction() throws Exception {
    Path file = directory.resolve("db");
    SqliteCheckpointStore.open(file).close();
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      SqliteCheckpointStore store = SqliteCheckpointStore.join(connection);
      Sql.execute(connection, "DROP TRIGGER temp." + SqliteDialect.ARMING_TRIGGER);
      Reads.target(store);
      assertThat(Sql.value(connection, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'")).isEqualTo(1);
      Sql.execute(connection, "INSERT INTO ps_crud(data) VALUES ('{}')");
      assertThat(Reads.target(store)).contains(CheckpointRequestId.MAX);
    }
  }

  @Test
  @DisplayName("the publisher reaches the same transaction through unwrap: Handle and Connection")
  void unwrapGivesTheTransactionsConnection() throws Exception {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db"))) {
      store.inTransaction(tx -> tx.unwrap(Handle.class).orElseThrow().execute("CREATE TABLE published(id)"));
      SyncClient client = SyncClient.builder(store)
          .publisher((publication, tx) -> tx.unwrap(Connection.class).ifPresent(connection -> {
            try (var statement = connection.prepareStatement("INSERT INTO published VALUES (?)")) {
              statement.setString(1, publication.lastOpId());
              statement.execute();
            } catch (SQLException e) {
              throw new AssertionError(e);
            }
          }))
          .build();
      client.start(CheckpointMode.REQUESTS);
      client.handleLine(new io.checkpoints.ports.SyncLine.Checkpoint("1", java.util.Optional.of(WriteCheckpoint.of(3))));
      client.handleLine(new io.checkpoints.ports.SyncLine.CheckpointComplete("1"));
      assertThat(Reads.longValue(store, "SELECT count(*) FROM published")).isEqualTo(1);
      assertThat(store.<java.util.Optional<String>>inTransaction(tx -> tx.unwrap(String.class))).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  @DisplayName("clear keeps the client id, the counter's absence is honest, the queue's sequence never goes back")
  void clearKeepsSequences(int flags) {
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("db" + flags))) {
      ClientId clientId = store.inTransaction(tx -> tx.state().clientId());
      store.inTransaction(tx -> {
        tx.uploadQueue().enqueue(LocalWrite.put("items", "a", "{}"));
        tx.uploadQueue().enqueue(LocalWrite.put("items", "b", "{}"));
        tx.userSequences().raise(UserKey.forUserId("u"), CheckpointRequestId.of(40));
        tx.state().setLastRequested(CheckpointRequestId.of(40));
        tx.clear(io.checkpoints.ports.ClearFlags.of(flags));
        return null;
      });
      assertThat(Reads.lastSequence(store)).isEqualTo(2);
      assertThat(Reads.counter(store)).isEmpty();
      assertThat(Reads.highest(store, UserKey.forUserId("u")))
          .contains(CheckpointRequestId.of(40));
      assertThat(Reads.enqueue(store, LocalWrite.put("items", "c", "{}"))).isEqualTo(3);
      assertThat(Reads.clientId(store)).isEqualTo(clientId);
    }
  }

  private static Connection plain(Path file) throws SQLException {
    return new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + file);
  }

  private static List<String> schema(Path file, String where) throws SQLException {
    try (Connection connection = plain(file)) {
      return Sql.rows(connection, "SELECT name, type, sql FROM sqlite_master" + where + " ORDER BY name");
    }
  }

  private static List<String> rows(Connection connection, String sql) {
    try {
      return Sql.rows(connection, sql);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
