package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointRequestId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion callbacks of a store joined to a caller's transaction that the caller ends through
 * JDBC or Jdbi rather than SQL statements (the contract suite covers {@code BEGIN IMMEDIATE} /
 * {@code COMMIT} / {@code ROLLBACK}): sqlite-jdbc's commit hook sees those ends too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqliteCompletionCallbacksTest {

  @TempDir Path directory;

  @Test
  @DisplayName("JDBC auto-commit off: callbacks run at Connection.commit (true) and Connection.rollback (false)")
  void jdbcCommitAndRollback() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("jdbc.db"));
        SqliteCheckpointStore store = SqliteCheckpointStore.join(connection)) {
      List<String> calls = new ArrayList<>();
      connection.setAutoCommit(false);
      setTarget(store, 3, committed -> calls.add("first " + committed));
      assertThat(calls).as("before the caller's commit").isEmpty();
      connection.commit();
      assertThat(calls).containsExactly("first true");

      setTarget(store, 4, committed -> calls.add("second " + committed));
      connection.rollback();
      assertThat(calls).containsExactly("first true", "second false");
      connection.setAutoCommit(true);
      assertThat(target(store)).as("the rollback undid the second change").contains(CheckpointRequestId.of(3));
      assertThat(calls).as("each callback once").hasSize(2);
    }
  }

  @Test
  @DisplayName("Jdbi: callbacks run when the caller's handle transaction commits or fails")
  void jdbiTransactions() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("jdbi.db"))) {
      Handle handle = Jdbi.create(connection).open();
      SqliteCheckpointStore store = SqliteCheckpointStore.join(handle, SqliteStoreOptions.defaults());
      List<String> calls = new ArrayList<>();
      handle.useTransaction(h -> {
        setTarget(store, 5, committed -> calls.add("committed " + committed));
        assertThat(calls).as("inside the caller's transaction").isEmpty();
      });
      assertThat(calls).containsExactly("committed true");
      Throwable thrown = catchThrowable(() -> handle.useTransaction(h -> {
        setTarget(store, 6, committed -> calls.add("rolled back " + committed));
        throw new IllegalStateException("the caller's work fails");
      }));
      assertThat(thrown).hasMessage("the caller's work fails");
      assertThat(calls).containsExactly("committed true", "rolled back false");
      assertThat(target(store)).contains(CheckpointRequestId.of(5));
      store.close();
      assertThat(connection.isClosed()).as("the caller's connection stays open").isFalse();
    }
  }

  @Test
  @DisplayName("a closed joined store still tells the callbacks waiting for the caller's open transaction")
  void closingWhileTheCallerTransactionIsOpen() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("close.db"))) {
      SqliteCheckpointStore store = SqliteCheckpointStore.join(connection);
      List<Boolean> calls = new ArrayList<>();
      Sql.execute(connection, "BEGIN IMMEDIATE");
      setTarget(store, 7, calls::add);
      store.close();
      Sql.execute(connection, "COMMIT");
      assertThat(calls).containsExactly(true);
      Sql.execute(connection, "BEGIN IMMEDIATE");
      Sql.execute(connection, "ROLLBACK");
      assertThat(calls).as("told once").containsExactly(true);
    }
  }

  private static void setTarget(SqliteCheckpointStore store, long target,
      io.checkpoints.ports.CheckpointTransaction.CompletionCallback callback) {
    store.inTransaction(tx -> {
      tx.state().setTarget(CheckpointRequestId.of(target));
      tx.afterCompletion(callback);
      return null;
    });
  }

  private static Optional<CheckpointRequestId> target(SqliteCheckpointStore store) {
    return store.inTransaction(tx -> tx.state().target());
  }
}
