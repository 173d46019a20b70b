package io.checkpoints.adapter.h2;

import static io.checkpoints.adapter.h2.Sql.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.WriteCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 store's own behaviour beyond the contract: the schema it creates, values kept as JSON,
 * strict reading, file names, joining a caller's JDBC or Jdbi transaction, and its refusals.
 */
class H2CheckpointStoreTest {

  @TempDir Path directory;

  @Test
  @DisplayName("a fresh file gets the SQLite adapter's tables in H2 types, plus the queue mark and the insert-only table")
  void freshSchema() throws Exception {
    Path file = directory.resolve("fresh");
    try (H2CheckpointStore store = H2CheckpointStore.open(file,
        H2StoreOptions.defaults().withClientIdIfAbsent(ClientId.of("client-1")))) {
      assertThat(store.file()).contains(directory.resolve("fresh.mv.db").toAbsolutePath());
      assertThat(Files.isRegularFile(directory.resolve("fresh.mv.db"))).isTrue();
      assertThat(store.ownsConnection()).isTrue();
      assertThat(store.toString()).contains("fresh.mv.db");
    }
    try (Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      assertThat(Sql.strings(connection, "SELECT TABLE_NAME || '(' || (SELECT LISTAGG(COLUMN_NAME || ' '"
          + " || DATA_TYPE, ', ') WITHIN GROUP (ORDER BY ORDINAL_POSITION) FROM INFORMATION_SCHEMA.COLUMNS c"
          + " WHERE c.TABLE_NAME = t.TABLE_NAME) || ')' FROM INFORMATION_SCHEMA.TABLES t"
          + " WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY TABLE_NAME"))
          .containsExactly(
              "CHECKPOINTS_CRUD_SEQUENCE(ID INTEGER, SEQ BIGINT)",
              "CHECKPOINTS_INSERT_ONLY_TABLES(NAME CHARACTER VARYING)",
              "CHECKPOINT_USER_SEQUENCE(USER_KEY CHARACTER VARYING, LAST_REQUEST_ID BIGINT)",
              "PS_CRUD(ID BIGINT, DATA CHARACTER VARYING, TX_ID BIGINT)",
              "PS_KV(KEY CHARACTER VARYING, VALUE JSON)",
              "PS_TX(ID BIGINT, CURRENT_TX BIGINT, NEXT_TX BIGINT)");
      assertThat(Sql.strings(connection, "SELECT \"KEY\" || '=' || CAST(\"VALUE\" AS VARCHAR) FROM ps_kv"))
          .containsExactly("client_id=\"client-1\"");
      assertThat(Sql.value(connection, "SELECT next_tx FROM ps_tx WHERE id = 1")).isEqualTo(1L);
    }
  }

  @Test
  @DisplayName("ids are JSON numbers and the client id a JSON string, read back exactly, extremes included")
  void valuesAreTypedJson() throws Exception {
    Path file = directory.resolve("values");
    try (H2CheckpointStore store = H2CheckpointStore.open(file)) {
      store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.MAX);
        tx.state().setLastRequested(CheckpointRequestId.of(41));
        tx.state().setLastSeen(WriteCheckpoint.of(Long.MIN_VALUE));
        tx.state().setLastApplied(WriteCheckpoint.of(-3));
        return null;
      });
      ClientId clientId = store.inTransaction(tx -> tx.state().clientId());
      try (Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
        assertThat(stored(connection, "target_checkpoint_request_id")).isEqualTo("9223372036854775807");
        assertThat(stored(connection, "last_requested_checkpoint_request_id")).isEqualTo("41");
        assertThat(stored(connection, "last_seen_checkpoint_request_id")).isEqualTo("-9223372036854775808");
        assertThat(stored(connection, "last_applied_checkpoint_request_id")).isEqualTo("-3");
        assertThat(stored(connection, "client_id")).isEqualTo("\"" + clientId.value() + "\"");
      }
      assertThat(Reads.lastSeen(store)).contains(WriteCheckpoint.of(Long.MIN_VALUE));
    }
  }

  @Test
  @DisplayName("a value the store cannot read is a storage error naming the key and what it holds")
  void unreadableValues() throws Exception {
    Path file = directory.resolve("planted");
    try (H2CheckpointStore store = H2CheckpointStore.open(file);
        Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      String[][] cases = {
          {"last_requested_checkpoint_request_id", "'7'", "the text \"7\""},
          {"last_requested_checkpoint_request_id", "CAST(4.5 AS JSON)", "4.5"},
          {"target_checkpoint_request_id", "JSON '[1]'", "[1]"},
          {"target_checkpoint_request_id", "JSON '99999999999999999999'", "99999999999999999999"},
          {"target_checkpoint_request_id", "CAST(-2 AS JSON)", "-2"},
          {"last_seen_checkpoint_request_id", "NULL", "SQL NULL"},
          {"client_id", "CAST(5 AS JSON)", "the Long 5"}};
      for (String[] planted : cases) {
        Sql.execute(connection, "MERGE INTO ps_kv(\"KEY\", \"VALUE\") KEY(\"KEY\") VALUES ('"
            + planted[0] + "', " + planted[1] + ")");
        assertThatThrownBy(() -> store.inTransaction(tx -> {
          tx.state().clientId();
          tx.state().target();
          tx.state().lastRequested();
          return tx.state().lastSeen();
        }))
            .as("%s = %s", planted[0], planted[1])
            .isInstanceOf(CheckpointStorageException.class)
            .hasMessageContaining("ps_kv." + planted[0])
            .hasMessageContaining(planted[2]);
        Sql.execute(connection, "DELETE FROM ps_kv WHERE \"KEY\" = '" + planted[0] + "'");
      }
    }
  }

  @Test
  @DisplayName("file names: .mv.db names H2's file, any other name gets the ending; ';' and missing directories are refused")
  void fileNames() {
    assertThat(H2Connections.databaseFile(Path.of("/tmp/a/app.db"))).isEqualTo(Path.of("/tmp/a/app.db.mv.db"));
    assertThat(H2Connections.databaseFile(Path.of("/tmp/a/app.mv.db"))).isEqualTo(Path.of("/tmp/a/app.mv.db"));
    assertThat(H2Connections.databaseFile(Path.of("/tmp/a/x/../app"))).isEqualTo(Path.of("/tmp/a/app.mv.db"));
    assertThat(H2Connections.databaseFile(Path.of("/tmp/.mv.db"))).isEqualTo(Path.of("/tmp/.mv.db.mv.db"));

    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("named.mv.db"))) {
      assertThat(store.file()).contains(directory.resolve("named.mv.db").toAbsolutePath());
    }
    assertThat(Files.exists(directory.resolve("named.mv.db.mv.db"))).isFalse();

    assertThatThrownBy(() -> H2CheckpointStore.open(directory.resolve("a;MODE=MySQL")))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("';'");
    assertThatThrownBy(() -> H2CheckpointStore.open(directory.resolve("missing/app")))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> H2CheckpointStore.openInMemory("a;b", H2StoreOptions.defaults()))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("in-memory H2 database name");
    assertThatThrownBy(() -> H2StoreOptions.defaults().withLockTimeout(Duration.ZERO))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("lock timeout");
    assertThatThrownBy(() -> H2StoreOptions.defaults().withInsertOnlyTables(" "))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("non-blank");
  }

  @Test
  @DisplayName("an existing file whose tables have other columns is refused, and nothing is changed")
  void foreignTablesAreRefused() throws Exception {
    Path file = directory.resolve("foreign");
    try (Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      Sql.execute(connection, "CREATE TABLE ps_kv(name VARCHAR PRIMARY KEY, v INT)");
    }
    assertThatThrownBy(() -> H2CheckpointStore.open(file))
        .isInstanceOf(CheckpointStorageException.class)
        .hasMessageContaining("table PS_KV has the columns (NAME,V), expected (KEY,VALUE)");
    try (Connection connection = H2Connections.open(file, H2StoreOptions.defaults())) {
      assertThat(Sql.value(connection, "SELECT count(*) FROM ps_kv")).isEqualTo(0L);
    }
  }

  @Test
  @DisplayName("a named in-memory database is shared by name while a connection is open; private ones are separate")
  void namedInMemoryDatabaseLivesWhileAConnectionIsOpen() {
    H2StoreOptions options = H2StoreOptions.defaults();
    try (H2CheckpointStore first = H2CheckpointStore.openInMemory("shared-mem", options)) {
      first.inTransaction(tx -> {
        tx.state().setLastRequested(CheckpointRequestId.of(5));
        return null;
      });
      try (H2CheckpointStore second = H2CheckpointStore.openInMemory("shared-mem", options)) {
        assertThat(Reads.counter(second)).contains(CheckpointRequestId.of(5));
        assertThat(second.file()).isEmpty();
        assertThat(second.toString()).contains("mem:shared-mem");
      }
    }
    try (H2CheckpointStore again = H2CheckpointStore.openInMemory("shared-mem", options)) {
      assertThat(Reads.counter(again)).as("discarded with its last connection").isEmpty();
    }
    try (H2CheckpointStore a = H2CheckpointStore.openInMemory(); H2CheckpointStore b = H2CheckpointStore.openInMemory()) {
      a.inTransaction(tx -> {
        tx.state().setLastRequested(CheckpointRequestId.of(5));
        return null;
      });
      assertThat(Reads.counter(b)).as("private databases are separate").isEmpty();
    }
  }

  @Test
  @DisplayName("joined to a caller's open JDBC transaction: the caller's rollback undoes the store's work, its commit keeps it")
  void joinsCallersJdbcTransaction() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("joined"), H2StoreOptions.defaults())) {
      H2CheckpointStore store = H2CheckpointStore.join(connection);
      assertThat(store.ownsConnection()).isFalse();
      assertThat(store.file()).isEmpty();
      connection.setAutoCommit(false);
      setCounter(store, 7);
      connection.rollback();
      assertThat(counter(store)).isEmpty();
      setCounter(store, 8);
      // A failing operation is undone to its savepoint; the caller's transaction goes on.
      assertThatThrownBy(() -> store.inTransaction(tx -> {
        tx.state().setTarget(CheckpointRequestId.of(3));
        throw new IllegalStateException("boom");
      })).hasMessage("boom");
      connection.commit();
      connection.setAutoCommit(true);
      assertThat(counter(store)).contains(CheckpointRequestId.of(8));
      assertThat(Reads.target(store)).isEmpty();
      store.close();
      assertThat(connection.isClosed()).as("a joined store never closes the caller's connection").isFalse();
    }
  }

  @Test
  @DisplayName("joined to a caller's Jdbi transaction: the domain's work commits or rolls back with it")
  void joinsCallersJdbiTransaction() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("jdbi"), H2StoreOptions.defaults())) {
      H2CheckpointStore store = H2CheckpointStore.join(connection);
      SyncClient client = SyncClient.create(store);
      client.start(CheckpointMode.REQUESTS);
      Handle handle = Jdbi.create(connection).open();
      handle.useTransaction(h -> {
        client.sequence().seed(CheckpointRequestId.of(20));
      });
      assertThat(counter(store)).contains(CheckpointRequestId.of(20));
      assertThatThrownBy(() -> handle.useTransaction(h -> {
        client.sequence().next();
        throw new IllegalStateException("host failed");
      })).hasMessage("host failed");
      assertThat(counter(store)).as("rolled back with the host's transaction").contains(CheckpointRequestId.of(20));
    }
  }

  @Test
  @DisplayName("joining a fresh database inside an open transaction is refused: creating tables would commit it")
  void joinFreshDatabaseInsideTransactionIsRefused() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("fresh-tx"), H2StoreOptions.defaults())) {
      Sql.execute(connection, "CREATE TABLE host_table(x INT)");
      connection.setAutoCommit(false);
      Sql.execute(connection, "INSERT INTO host_table VALUES (1)");
      assertThatThrownBy(() -> H2CheckpointStore.join(connection))
          .isInstanceOf(CheckpointStorageException.class)
          .hasMessageContaining("would commit the caller's open transaction");
      connection.rollback();
      assertThat(Sql.value(connection, "SELECT count(*) FROM host_table")).as("nothing committed").isEqualTo(0L);
      assertThat(Sql.value(connection, "SELECT count(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'PS_KV'"))
          .isEqualTo(0L);
      connection.setAutoCommit(true);
      H2CheckpointStore.join(connection);
      connection.setAutoCommit(false);
      assertThat(H2CheckpointStore.join(connection)).as("an existing schema joins inside a transaction").isNotNull();
      connection.rollback();
    }
  }

  @Test
  @DisplayName("a connection to another database is refused")
  void otherDatabasesAreRefused() throws Exception {
    try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      assertThatThrownBy(() -> H2CheckpointStore.join(sqlite))
          .isInstanceOf(CheckpointArgumentException.class)
          .hasMessageContaining("needs an H2 connection, got one to SQLite");
    }
  }

  @Test
  @DisplayName("a dropped trigger is reported by a joined store instead of leaving SQL writes unarmed")
  void droppedTriggerIsReported() throws Exception {
    try (Connection connection = H2Connections.open(directory.resolve("dropped"), H2StoreOptions.defaults())) {
      H2CheckpointStore store = H2CheckpointStore.join(connection);
      Sql.execute(connection, "DROP TRIGGER checkpoints_local_write_arms_gate");
      assertThatThrownBy(() -> counter(store))
          .isInstanceOf(CheckpointStorageException.class)
          .hasMessageContaining("checkpoints_local_write_arms_gate")
          .hasMessageContaining("is missing");
      H2CheckpointStore again = H2CheckpointStore.join(connection);
      assertThat(counter(again)).isEmpty();
      assertThat(counter(store)).as("the first store works again too").isEmpty();
    }
  }

  @Test
  @DisplayName("a lock held longer than the lock timeout fails the waiting transaction with a storage error, changing nothing")
  void lockTimeout() throws Exception {
    Path file = directory.resolve("timeout");
    try (H2CheckpointStore store = H2CheckpointStore.open(file,
            H2StoreOptions.defaults().withLockTimeout(Duration.ofMillis(50)));
        Connection holder = H2Connections.open(file, H2StoreOptions.defaults())) {
      H2CheckpointStore joined = H2CheckpointStore.join(holder);
      holder.setAutoCommit(false);
      setCounter(joined, 9); // holds the lock row until the holder commits
      assertThatThrownBy(() -> setCounter(store, 10))
          .isInstanceOf(CheckpointStorageException.class)
          .hasMessageStartingWith("H2 checkpoint store: could not begin a write transaction: Timeout");
      holder.commit();
      assertThat(counter(store)).contains(CheckpointRequestId.of(9));
      setCounter(store, 10);
      assertThat(counter(store)).contains(CheckpointRequestId.of(10));
    }
  }

  @Test
  @DisplayName("stores opening one fresh database at once all succeed, with one client id")
  void concurrentOpensOfAFreshDatabase() throws Exception {
    Path file = directory.resolve("race");
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<H2CheckpointStore>> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return H2CheckpointStore.open(file);
      }));
    }
    go.countDown();
    List<H2CheckpointStore> stores = new ArrayList<>();
    try {
      for (CompletableFuture<H2CheckpointStore> future : opening) {
        stores.add(future.get(60, TimeUnit.SECONDS));
      }
      List<ClientId> ids = stores.stream().map(s -> s.inTransaction(tx -> tx.state().clientId())).toList();
      assertThat(ids).containsOnly(ids.get(0));
    } finally {
      stores.forEach(H2CheckpointStore::close);
    }
  }

  @Test
  @DisplayName("unwrap gives the transaction's Jdbi handle and JDBC connection, for publishing in the same transaction")
  void unwrap() {
    try (H2CheckpointStore store = H2CheckpointStore.openInMemory()) {
      store.inTransaction(tx -> {
        Handle handle = tx.unwrap(Handle.class).orElseThrow();
        Connection connection = tx.unwrap(Connection.class).orElseThrow();
        assertThat(handle.getConnection()).isSameAs(connection);
        assertThat(tx.unwrap(org.h2.jdbc.JdbcConnection.class)).isPresent();
        assertThat(tx.unwrap(String.class)).isEmpty();
        return null;
      });
    }
  }

  @Test
  @DisplayName("a closed store refuses work; closing twice is harmless")
  void closed() {
    H2CheckpointStore store = H2CheckpointStore.openInMemory();
    store.close();
    store.close();
    assertThatThrownBy(() -> counter(store))
        .isInstanceOfSatisfying(CheckpointStateException.class, e -> assertThat(e.reason())
            .isEqualTo(CheckpointStateException.Reason.STORE_CLOSED))
        .hasMessage("the H2 checkpoint store is closed");
  }

  private static void setCounter(H2CheckpointStore store, long value) {
    store.inTransaction(tx -> {
      tx.state().setLastRequested(CheckpointRequestId.of(value));
      return null;
    });
  }

  private static java.util.Optional<CheckpointRequestId> counter(H2CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }
}
