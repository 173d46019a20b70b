package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent allocation on one H2 database: 4 threads x 1,000 ids through one seeded client, and 4
 * seeded clients on connections of their own (stores', callers' in auto-commit, callers' inside
 * their own transactions; in a file and in memory), each in its own thread. Every id is unique,
 * each thread sees its ids increase, the counter ends at the last id, and no lock timeout (or any
 * other error) reaches a caller.
 */
class H2ConcurrencyTest {

  private static final int THREADS = 4;
  private static final int PER_THREAD = 1_000;
  private static final long SEED = 100;

  @TempDir Path directory;

  /** How one thread allocates one id. */
  @FunctionalInterface
  private interface Allocation {
    long next() throws Exception;
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 threads x 1,000 allocations through one seeded client")
  void threadsShareOneClient() throws Exception {
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("one"))) {
      SyncClient client = seededClient(store);
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(thread -> () -> client.sequence().next().value());
      report("one client, 4 threads", started);
      assertUniqueAndIncreasing(ids);
      assertThat(counter(store)).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("4 seeded clients, each on a store with its own connection to one file")
  void clientsOnTheirOwnConnections() throws Exception {
    List<H2CheckpointStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < THREADS; i++) {
        stores.add(H2CheckpointStore.open(directory.resolve("shared")));
      }
      assertAllocatesUniqueIds("4 clients, own stores on a file", stores);
    } finally {
      stores.forEach(H2CheckpointStore::close);
    }
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
  @DisplayName("4 seeded clients on callers' connections in auto-commit mode")
  void clientsOnCallersConnections() throws Exception {
    List<Connection> connections = new ArrayList<>();
    try {
      List<H2CheckpointStore> stores = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = H2Connections.open(directory.resolve("joined"), H2StoreOptions.defaults());
        connections.add(connection);
        stores.add(H2CheckpointStore.join(connection));
      }
      assertAllocatesUniqueIds("4 clients, callers' connections", stores);
    } finally {
      for (Connection connection : connections) {
        connection.close();
      }
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
      });
      report("4 clients inside callers' transactions", started);
      assertUniqueAndIncreasing(ids);
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

  private void assertAllocatesUniqueIds(String what, List<? extends CheckpointStore> stores) throws Exception {
    List<SyncClient> clients = new ArrayList<>();
    for (CheckpointStore store : stores) {
      clients.add(seededClient(store));
    }
    long started = System.nanoTime();
    List<List<Long>> ids = allocate(thread -> () -> clients.get(thread).sequence().next().value());
    report(what, started);
    assertUniqueAndIncreasing(ids);
    assertThat(counter(stores.get(0))).contains(CheckpointRequestId.of(SEED + THREADS * PER_THREAD));
  }

  private static SyncClient seededClient(CheckpointStore store) {
    SyncClient client = SyncClient.create(store);
    client.start(CheckpointMode.REQUESTS);
    client.sequence().seed(CheckpointRequestId.of(SEED));
    return client;
  }

  private static java.util.Optional<CheckpointRequestId> counter(CheckpointStore store) {
    return store.inTransaction(tx -> tx.state().lastRequested());
  }

  /** Each thread allocates PER_THREAD ids; returns each thread's ids in order. */
  private static List<List<Long>> allocate(java.util.function.IntFunction<Allocation> allocationOfThread)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Allocation allocation = allocationOfThread.apply(t);
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> ids = new ArrayList<>(PER_THREAD);
          for (int i = 0; i < PER_THREAD; i++) {
            ids.add(allocation.next());
          }
          return ids;
        }));
      }
      start.countDown();
      List<List<Long>> all = new ArrayList<>();
      for (Future<List<Long>> future : futures) {
        all.add(future.get(100, TimeUnit.SECONDS)); // an exception here (lock timeout...) fails the test
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertUniqueAndIncreasing(List<List<Long>> ids) {
    Set<Long> all = new HashSet<>();
    for (List<Long> thread : ids) {
      assertThat(thread).hasSize(PER_THREAD).isSorted().doesNotHaveDuplicates();
      all.addAll(thread);
    }
    assertThat(all).hasSize(THREADS * PER_THREAD);
    assertThat(all.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(SEED + 1);
    assertThat(all.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isEqualTo(SEED + THREADS * PER_THREAD);
  }

  private static void report(String what, long startedNanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    System.out.printf("concurrency: %s: %d ids in %d ms (%.0f ids/s)%n",
        what, THREADS * PER_THREAD, millis, THREADS * PER_THREAD * 1000.0 / Math.max(1, millis));
  }
}
