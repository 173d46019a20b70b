package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.jdbc.testing.SqlConcurrencyContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.domain.SyncClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent allocation on one H2 database: the shared cases of {@link SqlConcurrencyContract} on a
 * file, and here 4 seeded clients on stores of one in-memory database and on callers' connections
 * inside their own transactions, and a joined operation that holds the lock row until the caller
 * commits. Every id is unique, each thread sees its ids increase, and no lock timeout (or any other
 * error) reaches a caller.
 */
class H2ConcurrencyTest extends SqlConcurrencyContract {

  @Override
  protected SqlStores stores() {
    return H2Stores.INSTANCE;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients, each on a store with its own connection to one in-memory database")
  void clientsOnOneInMemoryDatabase() throws Exception {
    List<H2CheckpointStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < THREADS; i++) {
        stores.add(H2CheckpointStore.openInMemory("concurrency", H2StoreOptions.defaults()));
      }
      assertAllocatesUniqueIds("4 clients, own stores in memory", stores);
    } finally {
      stores.forEach(H2CheckpointStore::close);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients on callers' connections, each id inside the caller's own transaction")
  void clientsInsideCallersTransactions() throws Exception {
    List<Connection> connections = new ArrayList<>();
    try {
      List<SyncClient> clients = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = H2Connections.open(directory.resolve("callers"), H2StoreOptions.defaults());
        connections.add(connection);
        clients.add(seededClient(H2CheckpointStore.join(connection)));
        connection.setAutoCommit(false);
      }
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(thread -> () -> {
        // The caller's transaction: the store joins it and the caller commits.
        long id = clients.get(thread).sequence().next().value();
        connections.get(thread).commit();
        return id;
      }, PER_THREAD);
      report("4 clients inside callers' transactions", started, PER_THREAD);
      assertUniqueAndIncreasing(ids, PER_THREAD);
    } finally {
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a joined operation holds the lock row until the caller commits; the next allocation waits and continues above it")
  void joinedTransactionHoldsTheLockUntilTheCallerCommits() throws Exception {
    Path file = directory.resolve("lock");
    try (Connection first = H2Connections.open(file, H2StoreOptions.defaults());
        Connection second = H2Connections.open(file, H2StoreOptions.defaults())) {
      SyncClient firstClient = seededClient(H2CheckpointStore.join(first));
      SyncClient secondClient = seededClient(H2CheckpointStore.join(second));
      first.setAutoCommit(false);
      assertThat(firstClient.sequence().next().value()).isEqualTo(SEED + 1); // not committed yet
      // Read before the second connection is busy: a JDBC connection runs one statement at a time,
      // so asking the blocked one for its session would wait for its lock timeout.
      int waiterSession = sessionId(second);
      int holderSession = sessionId(first);
      Path database = Path.of(databasePath(first));

      CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(
          () -> secondClient.sequence().next().value());
      // Without the lock row, the second transaction would read the committed counter (100) and
      // allocate 101 again once the first commits. Wait until H2 reports it blocked by the first.
      awaitBlocked(database, waiterSession, holderSession, waiting);
      assertThat(waiting).isNotDone();
      first.commit();
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(SEED + 2);
    }
  }

  /**
   * Spins (no sleep), on a connection of its own, until H2 reports session {@code waiterId}
   * blocked by session {@code holderId}; fails at once, with what happened, if the waiting work
   * ends instead.
   */
  private static void awaitBlocked(Path database, int waiterId, int holderId,
      CompletableFuture<?> waiting) throws SQLException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try (Connection observer = H2Connections.open(database, H2StoreOptions.defaults());
        Statement statement = observer.createStatement()) {
      while (true) {
        try (ResultSet rows = statement.executeQuery(
            "SELECT BLOCKER_ID FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = " + waiterId)) {
          if (rows.next() && rows.getInt(1) == holderId) {
            return;
          }
        }
        if (waiting.isDone()) {
          throw new AssertionError("the waiter finished instead of waiting: " + waiting.handle(
              (value, failure) -> failure != null ? failure.toString() : "returned " + value).join());
        }
        assertThat(System.nanoTime()).as("the waiter is blocked by the holder in time").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
  }

  private static int sessionId(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT SESSION_ID()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static String databasePath(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT DATABASE_PATH()")) {
      rows.next();
      return rows.getString(1) + H2Connections.FILE_SUFFIX;
    }
  }
}
